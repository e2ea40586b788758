import type { Attachment } from './attachment.js';
import type { Metrics } from './metrics.js';
import type { CircuitSource } from './sources.js';
import type { Tally } from './tally.js';

/**
 * The `firebreak_circuit_*` metrics of one breaker: its state at scrape time, its calls by
 * result, its slow calls and its transitions.
 */
export function bindCircuitBreaker(breaker: CircuitSource, metrics: Metrics, attachment: Attachment): void {
  const { name } = breaker;
  metrics.claim('circuit breaker', name, breaker, attachment);
  const success = attachment.tally(metrics.circuitCalls, name, 'success');
  const failure = attachment.tally(metrics.circuitCalls, name, 'failure');
  const rejected = attachment.tally(metrics.circuitCalls, name, 'rejected');
  const slow = attachment.tally(metrics.circuitSlowCalls, name);
  const transitions = new Map<string, Tally>();

  attachment.add(
    breaker.onSuccess((event) => {
      success.count++;
      if (event.slow) slow.count++;
    }),
  );
  attachment.add(
    breaker.onFailure((event) => {
      failure.count++;
      if (event.slow) slow.count++;
    }),
  );
  attachment.add(breaker.onRejected(() => void rejected.count++));
  attachment.add(
    breaker.onStateChange(({ from, to }) => {
      const key = `${from}>${to}`;
      let transition = transitions.get(key);
      if (transition === undefined) {
        transition = attachment.tally(metrics.circuitTransitions, name, from, to);
        transitions.set(key, transition);
      }
      transition.count++;
    }),
  );

  metrics.breakers.set(breaker, attachment.labels(name));
  attachment.add(() => metrics.breakers.delete(breaker));
}
