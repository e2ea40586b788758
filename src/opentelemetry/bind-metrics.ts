import type { Attributes } from '@opentelemetry/api';
import type { Attachment } from '../prometheus/attachment.js';
import { BULKHEAD_REASONS, RETRY_RESULTS, retryResult, type RetryResultLabel } from '../prometheus/metric-definitions.js';
import {
  isBudgetSource,
  isBulkheadSource,
  isCallSource,
  isCircuitSource,
  isFallbackSource,
  isFleetSource,
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
 * (read at collection), a fleet, or a policy of any kind (an adapter may report several kinds).
 * Attributes and counter tallies are made once here, not per event; every point carries the
 * attachment's extra attributes (`firebreak.key` for a key of a keyed policy).
 */
export function bindMetrics(part: object, meters: Meters, attachment: Attachment): void {
  if (!('name' in part) || typeof part.name !== 'string') return;
  const name = { [POLICY_NAME]: part.name, ...attachment.extra };
  const tally = (key: Parameters<Meters['tally']>[0], attributes: Attributes = name): Tally => meters.tally(key, attributes, attachment);
  if (isBudgetSource(part)) {
    const budget = meters.budgets.get(part) ?? { users: 0, attributes: name };
    budget.users++;
    meters.budgets.set(part, budget);
    attachment.add(() => {
      if (--budget.users === 0) meters.budgets.delete(part);
    });
    return;
  }
  if (isFleetSource(part)) {
    const errors = tally('fleetStoreErrors');
    attachment.add(part.onStoreError(() => void errors.count++));
    observe(meters.fleets, part, name, attachment);
  }
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
    const timeouts = tally('timeouts');
    attachment.add(part.onTimeout(() => void timeouts.count++));
  }
  if (isFallbackSource(part)) {
    const fallbacks = tally('fallbacks');
    attachment.add(part.onFallback(() => void fallbacks.count++));
  }
  if (isCircuitSource(part)) {
    const result = (value: string): Tally => tally('circuitCalls', { ...name, [CIRCUIT_RESULT]: value });
    const [success, failure, rejected] = [result('success'), result('failure'), result('rejected')];
    const slow = tally('circuitSlowCalls');
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
          transition = tally('circuitTransitions', { ...name, [PREVIOUS_STATE]: from, [CIRCUIT_STATE]: to });
          transitions.set(id, transition);
        }
        transition.count++;
      }),
    );
    observe(meters.breakers, part, name, attachment);
  }
  if (isBulkheadSource(part)) {
    // Only an adaptive bulkhead (one with a learned limit) sheds.
    const reasons = part.stats.limit === undefined ? BULKHEAD_REASONS.filter((reason) => reason !== 'shed') : BULKHEAD_REASONS;
    const rejections = new Map(reasons.map((reason) => [reason as string, tally('bulkheadRejections', { ...name, [BULKHEAD_REASON]: reason })]));
    const full = rejections.get('full') as Tally;
    attachment.add(part.onRejected((event) => void (rejections.get(event.reason) ?? full).count++));
    attachment.add(part.onAdmitted((event) => histograms.bulkheadWaitTime.record(event.waited / 1000, name)));
    observe(meters.bulkheads, part, name, attachment);
  }
  if (isRateLimitSource(part)) {
    const rejections = tally('rateLimitRejections');
    attachment.add(part.onRejected(() => void rejections.count++));
    attachment.add(part.onAdmitted((event) => histograms.rateLimitWaitTime.record(event.waited / 1000, name)));
  }
  if (isRetrySource(part)) {
    const results = {} as Record<RetryResultLabel, Tally>;
    for (const value of RETRY_RESULTS) results[value] = tally('retryCalls', { ...name, [RETRY_RESULT]: value });
    const retries = tally('retries');
    const exhausted = tally('retryBudgetExhausted');
    attachment.add(part.onRetry(() => void retries.count++));
    attachment.add(
      part.onGiveUp((event) => {
        if (event.reason === 'budget') exhausted.count++;
      }),
    );
    attachment.add(part.onSettled((event) => void results[retryResult(!event.failed, event.attempts)].count++));
  }
  if (isHedgeSource(part)) {
    const [calls, hedges, wins] = [tally('hedgeCalls'), tally('hedges'), tally('hedgeWins')];
    attachment.add(part.onHedge(() => void hedges.count++));
    attachment.add(
      part.onSettled((event) => {
        calls.count++;
        if (event.winner !== undefined && event.winner > 1) wins.count++;
      }),
    );
    observe(meters.hedges, part, name, attachment);
  }
  if (isThrottleSource(part)) {
    const rejections = tally('throttleRejections');
    attachment.add(part.onRejected(() => void rejections.count++));
    observe(meters.throttles, part, name, attachment);
  }
}

/** Has `source` read at collection with `attributes`, until the attachment detaches. */
function observe<S>(sources: Map<S, Attributes>, source: S, attributes: Attributes, attachment: Attachment): void {
  sources.set(source, attributes);
  attachment.add(() => sources.delete(source));
}
