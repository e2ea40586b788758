import type { Attributes } from '@opentelemetry/api';
import type { Attachment } from '../prometheus/attachment.js';
import { RETRY_RESULTS, retryResult, type RetryResultLabel } from '../prometheus/metric-definitions.js';
import {
  isBudgetSource,
  isBulkheadSource,
  isCallSource,
  isCircuitSource,
  isFallbackSource,
  isRetrySource,
  isTimeoutSource,
} from '../prometheus/sources.js';
import { BULKHEAD_REASON, CIRCUIT_RESULT, CIRCUIT_STATE, ERROR_TYPE, POLICY_NAME, PREVIOUS_STATE, RETRY_RESULT } from './definitions.js';
import type { Meters } from './meters.js';

/**
 * Records the metrics of one part of an instrumented target, by the events it offers: a budget
 * (read at collection), or a policy of any kind (an adapter may report several kinds).
 * Attributes are made once here, not per event.
 */
export function bindMetrics(part: object, meters: Meters, attachment: Attachment): void {
  if (isBudgetSource(part)) {
    meters.budgets.set(part, (meters.budgets.get(part) ?? 0) + 1);
    attachment.add(() => {
      const users = (meters.budgets.get(part) ?? 1) - 1;
      if (users === 0) meters.budgets.delete(part);
      else meters.budgets.set(part, users);
    });
    return;
  }
  if (!('name' in part) || typeof part.name !== 'string') return;
  const name = { [POLICY_NAME]: part.name };
  const { counters, histograms } = meters;

  if (isCallSource(part)) {
    attachment.add(
      part.onCall((event: { ok: boolean; duration: number; error?: unknown }) => {
        const attributes = event.ok ? name : { ...name, [ERROR_TYPE]: meters.errorTypes.of(event.error) };
        histograms.callDuration.record(event.duration / 1000, attributes);
      }),
    );
  }
  if (isTimeoutSource(part)) attachment.add(part.onTimeout(() => counters.timeouts.add(1, name)));
  if (isFallbackSource(part)) attachment.add(part.onFallback(() => counters.fallbacks.add(1, name)));
  if (isCircuitSource(part)) {
    const result = (value: string): Attributes => ({ ...name, [CIRCUIT_RESULT]: value });
    const [success, failure, rejected] = [result('success'), result('failure'), result('rejected')];
    attachment.add(
      part.onSuccess((event) => {
        counters.circuitCalls.add(1, success);
        if (event.slow) counters.circuitSlowCalls.add(1, name);
      }),
    );
    attachment.add(
      part.onFailure((event) => {
        counters.circuitCalls.add(1, failure);
        if (event.slow) counters.circuitSlowCalls.add(1, name);
      }),
    );
    attachment.add(part.onRejected(() => counters.circuitCalls.add(1, rejected)));
    attachment.add(part.onStateChange(({ from, to }) => counters.circuitTransitions.add(1, { ...name, [PREVIOUS_STATE]: from, [CIRCUIT_STATE]: to })));
    meters.breakers.add(part);
    attachment.add(() => meters.breakers.delete(part));
  }
  if (isBulkheadSource(part)) {
    const full = { ...name, [BULKHEAD_REASON]: 'full' };
    const queueTimeout = { ...name, [BULKHEAD_REASON]: 'queue-timeout' };
    attachment.add(part.onRejected((event) => counters.bulkheadRejections.add(1, event.reason === 'queue-timeout' ? queueTimeout : full)));
    attachment.add(part.onAdmitted((event) => histograms.bulkheadWaitTime.record(event.waited / 1000, name)));
    meters.bulkheads.add(part);
    attachment.add(() => meters.bulkheads.delete(part));
  }
  if (isRetrySource(part)) {
    const results = {} as Record<RetryResultLabel, Attributes>;
    for (const value of RETRY_RESULTS) results[value] = { ...name, [RETRY_RESULT]: value };
    attachment.add(part.onRetry(() => counters.retries.add(1, name)));
    attachment.add(
      part.onGiveUp((event) => {
        if (event.reason === 'budget') counters.retryBudgetExhausted.add(1, name);
      }),
    );
    attachment.add(part.onSettled((event) => counters.retryCalls.add(1, results[retryResult(!event.failed, event.attempts)])));
  }
}
