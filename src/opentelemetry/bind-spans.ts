import { trace, type Attributes } from '@opentelemetry/api';
import type { Attachment } from '../prometheus/attachment.js';
import { isCircuitSource, isFallbackSource, isHedgeSource, isRateLimitSource, isRetrySource, isThrottleSource, isTimeoutSource } from '../prometheus/sources.js';
import { CIRCUIT_STATE, ERROR_TYPE, POLICY_NAME, SPAN_EVENTS } from './definitions.js';
import type { ErrorTypes } from './error-type.js';

/** What a retry or a fallback replaced, as a bounded `error.type` (`_OTHER` for a result judged a failure). */
interface OutcomeEvent {
  readonly outcome?: { readonly ok: boolean; readonly error?: unknown };
}

/**
 * Adds span events to the span active where a policy's event happens: a retry, a hedged attempt
 * started, a breaker's, a rate limiter's or an adaptive throttle's rejection, a served fallback, a
 * timeout. Events happen in the async context of the call they concern (a timeout too: the core
 * reports it in the caller's context; a hedge's delay timer is set in it), so each lands on the
 * span of its own call. Nothing is added when no span is recording.
 */
export function bindSpanEvents(part: object, errorTypes: ErrorTypes, attachment: Attachment): void {
  if (!('name' in part) || typeof part.name !== 'string') return;
  const policy = { [POLICY_NAME]: part.name, ...attachment.extra };
  const failure = (event: OutcomeEvent): Attributes =>
    event.outcome === undefined ? {} : { [ERROR_TYPE]: event.outcome.ok ? '_OTHER' : errorTypes.of(event.outcome.error) };

  if (isRetrySource(part)) {
    attachment.add(
      part.onRetry((event) => {
        const retry = event as OutcomeEvent & { attempt?: number; delay?: number };
        addEvent(SPAN_EVENTS.retry, { ...policy, 'firebreak.retry.attempt': (retry.attempt ?? 0) + 1, 'firebreak.retry.delay': (retry.delay ?? 0) / 1000, ...failure(retry) });
      }),
    );
  }
  if (isCircuitSource(part)) {
    attachment.add(
      part.onRejected((event) => {
        const { state, retryAfter } = event as { state?: string; retryAfter?: number };
        addEvent(SPAN_EVENTS.circuitRejected, { ...policy, [CIRCUIT_STATE]: state ?? 'open', 'firebreak.circuit.retry_after': (retryAfter ?? 0) / 1000 });
      }),
    );
  }
  if (isRateLimitSource(part)) {
    attachment.add(
      part.onRejected((event) => {
        const { retryAfter } = event as { retryAfter?: number };
        addEvent(SPAN_EVENTS.rateLimited, { ...policy, 'firebreak.rate_limit.retry_after': (retryAfter ?? 0) / 1000 });
      }),
    );
  }
  if (isHedgeSource(part)) {
    attachment.add(
      part.onHedge((event) => {
        const { attempt, reason } = event as { attempt?: number; reason?: string };
        addEvent(SPAN_EVENTS.hedge, { ...policy, 'firebreak.hedge.attempt': attempt ?? 0, 'firebreak.hedge.reason': reason ?? 'delay' });
      }),
    );
  }
  if (isThrottleSource(part)) {
    attachment.add(
      part.onRejected((event) => {
        const { probability } = event as { probability?: number };
        addEvent(SPAN_EVENTS.throttled, { ...policy, 'firebreak.throttle.probability': probability ?? 0 });
      }),
    );
  }
  if (isFallbackSource(part)) {
    attachment.add(part.onFallback((event) => addEvent(SPAN_EVENTS.fallback, { ...policy, ...failure(event as OutcomeEvent) })));
  }
  if (isTimeoutSource(part)) {
    attachment.add(
      part.onTimeout((event) => {
        const { duration } = event as { duration?: number };
        addEvent(SPAN_EVENTS.timeout, { ...policy, 'firebreak.timeout.duration': (duration ?? 0) / 1000 });
      }),
    );
  }
}

function addEvent(event: string, attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.addEvent(event, attributes);
}
