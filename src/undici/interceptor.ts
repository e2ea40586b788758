import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { firebreak, type Firebreak } from '../firebreak.js';
import { keyed, type KeyedPolicy } from '../keyed/keyed.js';
import { OptionReader } from '../options.js';
import type { Policy } from '../policy.js';
import { httpShouldHandle } from '../retry/http.js';
import { ProtectedRequest } from './protected-request.js';
import { isRepeatable } from './repeatable.js';

/**
 * Options of {@link interceptor}.
 *
 * @example
 * ```ts
 * import { firebreak, httpShouldHandle } from 'firebreak';
 * import type { InterceptorOptions } from 'firebreak/undici';
 * const options: InterceptorOptions = {
 *   policy: (origin) => firebreak(origin, { circuitBreaker: { shouldHandle: httpShouldHandle }, bulkhead: { concurrency: 50 } }),
 *   maxKeys: 200,
 * };
 * ```
 */
export interface InterceptorOptions {
  /** Name of the keyed policies, for metrics (`firebreak_keyed_overflows_total`). @default 'undici' */
  readonly name?: string;
  /**
   * Builds the policy of one key (by default, one origin such as `https://api.example.com`). Judge
   * outcomes with `httpShouldHandle` (or your own): a policy sees each response head, with
   * `status` and `headers.get(name)`, and undici's errors.
   * @default (origin) => defaultPolicy(origin): retries of 3 attempts with a budget and a circuit breaker, both judging with `httpShouldHandle`
   */
  readonly policy?: (key: string) => Policy<unknown>;
  /**
   * Which policy a request goes through; `null` lets it bypass firebreak.
   * @default the request's origin
   */
  readonly key?: (opts: Dispatcher.DispatchOptions) => string | null;
  /** How many keys keep a policy (see `keyed`). @default 1000 */
  readonly maxKeys?: number;
  /** Milliseconds after which an unused key's policy is dropped (see `keyed`). @default 600_000 */
  readonly idleTtl?: number;
  /** Source of time for the keyed policies' expiry. @default systemClock */
  readonly clock?: Clock;
}

/**
 * An undici interceptor that protects requests with firebreak, for `dispatcher.compose()`; its
 * `policies` are the keyed policies it uses, for metrics and state.
 *
 * @example
 * ```ts
 * import { Agent } from 'undici';
 * import { instrument } from 'firebreak/prometheus';
 * import { interceptor, type FirebreakInterceptor } from 'firebreak/undici';
 * const protect: FirebreakInterceptor = interceptor();
 * const agent = new Agent().compose(protect);
 * instrument(protect.policies);
 * ```
 */
export interface FirebreakInterceptor extends Dispatcher.DispatcherComposeInterceptor {
  readonly policies: KeyedPolicy<Policy<unknown>>;
}

/**
 * The policy an origin gets when {@link interceptor} is given no `policy`: `firebreak(origin)`
 * with a retry (3 attempts, exponential backoff with full jitter, honouring `Retry-After`, with
 * its own retry budget) and a circuit breaker (the core's defaults), both judging responses and
 * errors with `httpShouldHandle`.
 *
 * @param origin - the key, an origin such as `https://api.example.com`.
 * @example
 * ```ts
 * import { firebreak, httpShouldHandle } from 'firebreak';
 * import { defaultPolicy, interceptor } from 'firebreak/undici';
 * // The default for every origin but one, which gets a bulkhead as well.
 * const protect = interceptor({
 *   policy: (origin) =>
 *     origin === 'https://search.example' ? firebreak(origin, { circuitBreaker: { shouldHandle: httpShouldHandle }, bulkhead: { concurrency: 10 } }) : defaultPolicy(origin),
 * });
 * ```
 */
export function defaultPolicy(origin: string): Firebreak {
  return firebreak(origin, {
    retry: { maxAttempts: 3, shouldHandle: httpShouldHandle },
    circuitBreaker: { shouldHandle: httpShouldHandle },
  });
}

/** The origin of a request: the default key. */
function originOf(opts: Dispatcher.DispatchOptions): string | null {
  const origin = opts.origin;
  if (origin === undefined || origin === null) return null;
  return typeof origin === 'string' ? new URL(origin).origin : origin.origin;
}

/**
 * Protects undici's requests, `fetch` and Node's built-in `fetch` with firebreak: one policy per
 * origin (through `keyed`), built by `options.policy`.
 *
 * Compose it into a dispatcher (`new Agent().compose(interceptor())`), and make that dispatcher
 * global (`setGlobalDispatcher`) to protect every `fetch` of the process. Each request runs under
 * its key's policy:
 * - The policies judge each response head (`status`, `headers.get()`) and undici's errors (by
 *   their `code`): `httpShouldHandle` counts 408, 429, 5xx and transient network errors as
 *   failures. The body of a retried or replaced response is dropped, never delivered.
 * - A request is sent again (retry, hedge) only when its method is idempotent (GET, HEAD, OPTIONS,
 *   TRACE, PUT, DELETE; or `idempotent: true`, or an `Idempotency-Key` header) and its body can
 *   be replayed (none, a string, bytes, a Blob): a POST, or a body given as a stream (as fetch
 *   gives every body), is sent once (`execute(fn, { repeatable: false })`).
 * - A bulkhead's permit is held until the response body ends or fails, not until its head.
 * - A rejection (open circuit, full bulkhead, timeout, a failed last attempt) reaches the handler
 *   as an error through a usable controller: `fetch` rejects with `TypeError('fetch failed')`
 *   whose `cause` is firebreak's error; `undici.request` rejects with the error itself.
 * - `Retry-After` on a retried response sets the least wait; the request's abort (its `signal`,
 *   or fetch's) ends queue waits and backoff sleeps at once.
 * - A fallback may answer with a {@link SyntheticResponse} or a fetch `Response`.
 * - `key(opts)` returning `null`, and upgrades (WebSocket, CONNECT), bypass firebreak.
 *
 * In `compose(a, b)` the last interceptor is the outermost (it sees the request first): undici's
 * code wraps them in order. Put firebreak last to protect what the others do (redirects, a
 * cache), first to protect each of their requests.
 *
 * @param options - {@link InterceptorOptions}.
 * @throws InvalidOptionError for a bad or unknown option.
 * @example
 * ```ts
 * import { Agent, setGlobalDispatcher } from 'undici';
 * import { interceptor } from 'firebreak/undici';
 * setGlobalDispatcher(new Agent().compose(interceptor()));
 * const response = await fetch('http://127.0.0.1:8080/health');
 * ```
 */
export function interceptor(options?: InterceptorOptions): FirebreakInterceptor {
  const read = new OptionReader('interceptor', options, ['name', 'policy', 'key', 'maxKeys', 'idleTtl', 'clock']);
  const build = read.optionalFunction<(key: string) => Policy<unknown>>('policy') ?? defaultPolicy;
  const keyOf = read.optionalFunction<(opts: Dispatcher.DispatchOptions) => string | null>('key') ?? originOf;
  const policies = keyed(build, {
    name: read.string('name', 'undici'),
    maxKeys: read.integer('maxKeys', 1000, 1),
    idleTtl: read.duration('idleTtl', 600_000, { min: 1, allowInfinity: true }),
    clock: read.clock(),
  });
  const protect = (dispatch: Dispatcher.Dispatch): Dispatcher.Dispatch =>
    // Exactly two parameters: undici 8's compose() refuses a dispatch function of another length.
    function firebreakDispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      if (opts.upgrade || opts.method === 'CONNECT') return dispatch(opts, handler);
      const request = new ProtectedRequest(handler, dispatch, opts);
      let policy: Policy<unknown>;
      try {
        const key = keyOf(opts);
        if (key === null) return dispatch(opts, handler);
        policy = policies.get(key);
      } catch (error) {
        request.start(failing(error), false);
        return true;
      }
      request.start(policy, isRepeatable(opts));
      return true;
    };
  return Object.assign(protect, { policies });
}

/** A policy that rejects every call with `error`: how a key function's error reaches the handler. */
function failing(error: unknown): Policy<unknown> {
  return { name: 'firebreak/undici', execute: () => Promise.reject(error) };
}
