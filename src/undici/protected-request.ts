import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CallContext, Policy } from '../policy.js';
import { Attempt, type AttemptSink } from './attempt.js';
import { ResponseHead } from './response-head.js';
import { readSynthetic } from './synthetic-response.js';

/**
 * One request through the interceptor, as the caller's handler sees it: it gets this object as
 * its controller at once (so its abort reaches queue waits and backoff sleeps), then exactly one
 * response (the head chosen by the policies, with its body, or a fallback's synthetic one) or
 * one error.
 */
export class ProtectedRequest implements Dispatcher.DispatchController, AttemptSink {
  #paused = false;
  #aborted = false;
  #reason: Error | null = null;
  /** True once the handler has had its last callback (end or error). */
  #done = false;
  #delivered: Attempt | undefined;
  readonly #attempts = new Set<Attempt>();
  readonly #abort = new AbortController();
  rawHeaders: RawFields = null;
  rawTrailers: RawFields = null;

  constructor(
    readonly handler: Dispatcher.DispatchHandler,
    readonly dispatch: Dispatcher.Dispatch,
    readonly opts: Dispatcher.DispatchOptions,
  ) {}

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  pause(): void {
    this.#paused = true;
    this.#delivered?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#delivered?.flush();
  }

  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    if (this.#delivered) this.#delivered.abort(reason);
    else this.#abort.abort(reason);
  }

  /** Hands the handler its controller, then runs the request's attempts under `policy`. */
  start(policy: Policy<unknown>, repeatable: boolean): void {
    try {
      this.handler.onRequestStart?.(this, {});
    } catch (error) {
      this.error(error as Error);
      return;
    }
    if (this.#aborted) {
      this.error(this.#reason as Error);
      return;
    }
    policy.execute((ctx) => this.#attempt(ctx), { signal: this.#abort.signal, repeatable }).then(
      (value) => this.#answer(value),
      (error: unknown) => this.error(error as Error),
    );
  }

  #attempt(ctx: CallContext): Promise<ResponseHead> {
    const attempt = new Attempt(ctx);
    this.#attempts.add(attempt);
    return attempt.start(this.dispatch, this.opts);
  }

  /** Delivers what the policies resolved with: one of this request's responses, or a synthetic one. */
  #answer(value: unknown): void {
    if (this.#done) return;
    if (this.#aborted) {
      this.error(this.#reason as Error);
      return;
    }
    if (value instanceof ResponseHead) {
      if (value.owner instanceof Attempt && this.#attempts.has(value.owner) && value.owner.held) this.#deliver(value.owner, value);
      else this.error(new Error('firebreak/undici: the policy answered with a response that was already set aside'));
      return;
    }
    this.#dropAttempts(undefined);
    readSynthetic(value).then(
      (synthetic) => {
        if (this.#done) return;
        if (this.#aborted) {
          this.error(this.#reason as Error);
          return;
        }
        if (!this.#start(synthetic.status, synthetic.headers, synthetic.statusText)) return;
        if (synthetic.body.length > 0) this.data(synthetic.body);
        this.end({});
      },
      (error: unknown) => this.error(error as Error),
    );
  }

  #deliver(attempt: Attempt, head: ResponseHead): void {
    this.#delivered = attempt;
    this.#dropAttempts(attempt);
    this.rawHeaders = attempt.rawHeaders as RawFields;
    try {
      this.handler.onResponseStarted?.();
    } catch (error) {
      attempt.abort(error as Error);
      return;
    }
    if (this.#start(head.status, head.fields, head.statusText)) attempt.deliver(this);
    else attempt.abort(this.#reason ?? new Error('firebreak/undici: the handler refused the response'));
  }

  /** Calls the handler's `onResponseStart`; false (after delivering the error) when it threw. */
  #start(status: number, headers: IncomingHttpHeaders, statusText: string): boolean {
    try {
      this.handler.onResponseStart?.(this, status, headers, statusText);
      return true;
    } catch (error) {
      this.error(error as Error);
      return false;
    }
  }

  /** Sets aside every attempt but `keep`: held responses are dropped, pending ones aborted. */
  #dropAttempts(keep: Attempt | undefined): void {
    for (const attempt of this.#attempts) if (attempt !== keep) attempt.abort(dropped());
    this.#attempts.clear();
  }

  data(chunk: Buffer): void {
    if (this.#done) return;
    try {
      this.handler.onResponseData?.(this, chunk);
    } catch (error) {
      this.#delivered?.abort(error as Error);
      this.error(error as Error);
    }
  }

  end(trailers: IncomingHttpHeaders): void {
    if (this.#done) return;
    this.#done = true;
    this.handler.onResponseEnd?.(this, trailers);
  }

  error(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#dropAttempts(this.#delivered);
    this.handler.onResponseError?.(this, error);
  }
}

/** The raw header or trailer fields on a controller, which undici 8's fetch reads. */
type RawFields = Exclude<Dispatcher.DispatchController['rawHeaders'], undefined>;

function dropped(): Error {
  return Object.assign(new Error('firebreak/undici: attempt set aside'), { name: 'AbortError' });
}
