import type { Attachment } from '../prometheus/attachment.js';
import { BULKHEAD_REASONS, RETRY_RESULTS, retryResult, type RetryResultLabel } from '../prometheus/metric-definitions.js';
import {
  isBudgetSource,
  isBulkheadSource,
  isCallSource,
  isCircuitSource,
  isFallbackSource,
  isHedgeSource,
  isRateLimitSource,
  isRetrySource,
  isThrottleSource,
  isTimeoutSource,
} from '../prometheus/sources.js';
import { BULKHEAD_REASON, CIRCUIT_RESULT, CIRCUIT_STATE, ERROR_TYPE, POLICY_NAME, PREVIOUS_STATE, RETRY_RESULT } from './definitions.js';
import type { Meters, Tally } from './meters.js';

/**
 * Records the metrics of one part of an instrumented target, by the events it offers: a budget
 * (read at collection), or a policy of any kind (an adapter may report several kinds).
 * Attributes and counter tallies are made once here, not per event.
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
  const { histograms } = meters;

  if (isCallSource(part)) {
    attachment.add(
      part.onCall((event: { ok: boolean; duration: number; error?: unknown }) => {
        const attributes = event.ok ? name : { ...name, [ERROR_TYPE]: meters.errorTypes.of(event.error) };
        histograms.callDuration.record(event.duration / 1000, attributes);
      }),
    );
  }
  if (isTimeoutSource(part)) {
    const timeouts = meters.tally('timeouts', name);
    attachment.add(part.onTimeout(() => void timeouts.count++));
  }
  if (isFallbackSource(part)) {
    const fallbacks = meters.tally('fallbacks', name);
    attachment.add(part.onFallback(() => void fallbacks.count++));
  }
  if (isCircuitSource(part)) {
    const result = (value: string): Tally => meters.tally('circuitCalls', { ...name, [CIRCUIT_RESULT]: value });
    const [success, failure, rejected] = [result('success'), result('failure'), result('rejected')];
    const slow = meters.tally('circuitSlowCalls', name);
    const transitions = new Map<string, Tally>();
    attachment.add(
      part.onSuccess((event) => {
        success.count++;
        if (event.slow) slow.count++;
      }),
    );
    attachment.add(
      part.onFailure((event) => {
        failure.count++;
        if (event.slow) slow.count++;
      }),
    );
    attachment.add(part.onRejected(() => void rejected.count++));
    attachment.add(
      part.onStateChange(({ from, to }) => {
        const id = `${from}>${to}`;
        let transition = transitions.get(id);
        if (transition === undefined) {
          transition = meters.tally('circuitTransitions', { ...name, [PREVIOUS_STATE]: from, [CIRCUIT_STATE]: to });
          transitions.set(id, transition);
        }
        transition.count++;
      }),
    );
    meters.breakers.add(part);
    attachment.add(() => meters.breakers.delete(part));
  }
  if (isBulkheadSource(part)) {
    // Only an adaptive bulkhead (one with a learned limit) sheds.
    const reasons = part.stats.limit === undefined ? BULKHEAD_REASONS.filter((reason) => reason !== 'shed') : BULKHEAD_REASONS;
    const rejections = new Map(reasons.map((reason) => [reason as string, meters.tally('bulkheadRejections', { ...name, [BULKHEAD_REASON]: reason })]));
    const full = rejections.get('full') as Tally;
    attachment.add(part.onRejected((event) => void (rejections.get(event.reason) ?? full).count++));
    attachment.add(part.onAdmitted((event) => histograms.bulkheadWaitTime.record(event.waited / 1000, name)));
    meters.bulkheads.add(part);
    attachment.add(() => meters.bulkheads.delete(part));
  }
  if (isRateLimitSource(part)) {
    const rejections = meters.tally('rateLimitRejections', name);
    attachment.add(part.onRejected(() => void rejections.count++));
    attachment.add(part.onAdmitted((event) => histograms.rateLimitWaitTime.record(event.waited / 1000, name)));
  }
  if (isRetrySource(part)) {
    const results = {} as Record<RetryResultLabel, Tally>;
    for (const value of RETRY_RESULTS) results[value] = meters.tally('retryCalls', { ...name, [RETRY_RESULT]: value });
    const retries = meters.tally('retries', name);
    const exhausted = meters.tally('retryBudgetExhausted', name);
    attachment.add(part.onRetry(() => void retries.count++));
    attachment.add(
      part.onGiveUp((event) => {
        if (event.reason === 'budget') exhausted.count++;
      }),
    );
    attachment.add(part.onSettled((event) => void results[retryResult(!event.failed, event.attempts)].count++));
  }
  if (isHedgeSource(part)) {
    const [calls, hedges, wins] = [meters.tally('hedgeCalls', name), meters.tally('hedges', name), meters.tally('hedgeWins', name)];
    attachment.add(part.onHedge(() => void hedges.count++));
    attachment.add(
      part.onSettled((event) => {
        calls.count++;
        if (event.winner !== undefined && event.winner > 1) wins.count++;
      }),
    );
    meters.hedges.add(part);
    attachment.add(() => meters.hedges.delete(part));
  }
  if (isThrottleSource(part)) {
    const rejections = meters.tally('throttleRejections', name);
    attachment.add(part.onRejected(() => void rejections.count++));
    meters.throttles.add(part);
    attachment.add(() => meters.throttles.delete(part));
  }
}
