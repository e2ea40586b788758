import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { Context } from '../context.js';
import type { CallContext } from '../policy.js';
import { ResponseHead } from './response-head.js';

/** Where an attempt's response goes once it is the one delivered: the protected request. */
export interface AttemptSink {
  readonly paused: boolean;
  data(chunk: Buffer): void;
  end(trailers: IncomingHttpHeaders): void;
  error(error: Error): void;
}

type Buffered = { readonly chunk: Buffer } | { readonly trailers: IncomingHttpHeaders } | { readonly error: Error };

/**
 * - `waiting`: sent, no response head yet; the attempt's promise is pending.
 * - `held`: the head arrived and resolved the promise; the body is paused while the policies
 *   judge the head (what still arrives is buffered).
 * - `delivered`: the head went to the caller; the body flows through to it.
 * - `dropped`: the attempt failed, was aborted or its response was set aside.
 */
type State = 'waiting' | 'held' | 'delivered' | 'dropped';

const DROPPED = Object.assign(new Error('firebreak/undici: response set aside (retried, hedged or replaced)'), { name: 'AbortError' });

/**
 * One attempt of a protected request: the undici handler of one `dispatch`, and the promise of
 * its response head that the policies see. The body is held until the policies have chosen the
 * response to deliver; until then, and until the body ends or fails, the attempt's work is
 * reported to the stages around it (`ctx.abandon`), so a bulkhead keeps the permit until the
 * body ends.
 */
export class Attempt implements Dispatcher.DispatchHandler {
  #state: State = 'waiting';
  #controller: Dispatcher.DispatchController | undefined;
  #abortReason: Error | undefined;
  #resolve!: (head: ResponseHead) => void;
  #reject!: (error: unknown) => void;
  #buffered: Buffered[] = [];
  #sink: AttemptSink | undefined;
  #bodyEnded = false;
  #endBody: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  rawHeaders: unknown = null;

  constructor(readonly ctx: CallContext) {}

  /** Dispatches the request; resolves with the response head, rejects with the attempt's error. */
  start(dispatch: Dispatcher.Dispatch, opts: Dispatcher.DispatchOptions): Promise<ResponseHead> {
    return new Promise<ResponseHead>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      const ctx = this.ctx;
      if (!(ctx instanceof Context) || ctx.scope.canAbort) {
        const signal = ctx.signal;
        if (signal.aborted) {
          this.#drop(signal.reason);
          return;
        }
        signal.addEventListener('abort', this.#onAbort, { once: true });
        this.#signal = signal;
      }
      try {
        dispatch(opts, this);
      } catch (error) {
        this.onResponseError(undefined, error as Error);
      }
    });
  }

  readonly #onAbort = (): void => {
    this.#drop(this.#signal?.reason);
  };

  /** Whether the head of this attempt is held, waiting to be delivered or set aside. */
  get held(): boolean {
    return this.#state === 'held';
  }

  /** Sends the held response to `sink`: what arrived so far, then the rest as it comes. */
  deliver(sink: AttemptSink): void {
    this.#unlink();
    this.#state = 'delivered';
    this.#sink = sink;
    this.flush();
  }

  /** Passes on what is buffered while the caller reads, then lets the body flow again. */
  flush(): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    while (this.#buffered.length > 0 && !sink.paused) {
      const next = this.#buffered.shift() as Buffered;
      if ('chunk' in next) sink.data(next.chunk);
      else if ('trailers' in next) sink.end(next.trailers);
      else sink.error(next.error);
    }
    if (this.#buffered.length === 0 && !sink.paused && !this.#bodyEnded) this.#controller?.resume();
  }

  pause(): void {
    this.#controller?.pause();
  }

  /** Aborts the request, delivered or not: an error reaches the sink if it was delivered. */
  abort(reason: Error): void {
    if (this.#state === 'delivered') {
      if (this.#controller) this.#controller.abort(reason);
      else this.#sink?.error(reason);
      return;
    }
    this.#drop(reason);
  }

  /** Sets the attempt aside: a pending one rejects with `reason`, a held response is dropped. */
  #drop(reason: unknown): void {
    if (this.#state === 'delivered' || this.#state === 'dropped') return;
    const wasWaiting = this.#state === 'waiting';
    this.#state = 'dropped';
    this.#unlink();
    this.#buffered = [];
    const error = reason instanceof Error ? reason : DROPPED;
    if (this.#bodyEnded) this.#finishBody();
    else if (this.#controller) this.#controller.abort(error);
    else this.#abortReason = error;
    if (wasWaiting) this.#reject(reason);
  }

  #unlink(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }

  #finishBody(): void {
    this.#bodyEnded = true;
    this.#endBody?.();
    this.#endBody = undefined;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason !== undefined) controller.abort(this.#abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.#state !== 'waiting' || statusCode < 200) return;
    this.#controller = controller;
    this.#state = 'held';
    this.rawHeaders = controller.rawHeaders ?? null;
    controller.pause();
    // Read by its member, not by class: a context from another copy of firebreak counts too.
    const abandon = (this.ctx as Partial<Pick<Context, 'abandon'>>).abandon;
    if (typeof abandon === 'function') abandon.call(this.ctx, new Promise<void>((resolve) => (this.#endBody = resolve)));
    this.#resolve(new ResponseHead(this, statusCode, headers, statusMessage ?? '', () => this.#drop(DROPPED)));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#state === 'delivered' && this.#buffered.length === 0) this.#sink?.data(chunk);
    else if (this.#state === 'held' || this.#state === 'delivered') this.#buffered.push({ chunk });
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#finishBody();
    if (this.#state === 'waiting') this.#fail(new Error('firebreak/undici: the response ended before its head'));
    else if (this.#state === 'held' || this.#state === 'delivered') {
      this.#buffered.push({ trailers });
      this.flush();
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#finishBody();
    if (this.#state === 'waiting') this.#fail(error);
    else if (this.#state === 'held' || this.#state === 'delivered') {
      this.#buffered.push({ error });
      this.flush();
    }
  }

  #fail(error: unknown): void {
    this.#state = 'dropped';
    this.#unlink();
    this.#reject(error);
  }
}
