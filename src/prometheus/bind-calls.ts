import { CONTEXT_FREE } from '../events.js';
import type { Attachment } from './attachment.js';
import type { Metrics } from './metrics.js';
import type { CallSource, FallbackSource, TimeoutSource } from './sources.js';

/** `firebreak_call_duration_seconds`: every call through the policy's own `execute`. */
export function bindCalls(source: CallSource, metrics: Metrics, attachment: Attachment): void {
  const succeeded = attachment.series(metrics.callDuration, { name: source.name, outcome: 'success' });
  const failed = attachment.series(metrics.callDuration, { name: source.name, outcome: 'failure' });
  attachment.add(source.onCall((event) => (event.ok ? succeeded : failed).observe(event.duration / 1000)));
}

/** `firebreak_timeouts_total`. */
export function bindTimeouts(source: TimeoutSource, metrics: Metrics, attachment: Attachment): void {
  const timeouts = attachment.tally(metrics.timeouts, source.name);
  // A count needs no caller's context: the timeout need not capture one per call for it.
  attachment.add(source.onTimeout(Object.assign(() => void timeouts.count++, { [CONTEXT_FREE]: true })));
}

/** `firebreak_fallbacks_total`. */
export function bindFallbacks(source: FallbackSource, metrics: Metrics, attachment: Attachment): void {
  const fallbacks = attachment.tally(metrics.fallbacks, source.name);
  attachment.add(source.onFallback(() => void fallbacks.count++));
}
