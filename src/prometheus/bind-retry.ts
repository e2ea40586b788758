import type { Attachment } from './attachment.js';
import { RETRY_RESULTS, retryResultIndex } from './metric-definitions.js';
import type { Metrics } from './metrics.js';
import type { BudgetSource, RetrySource } from './sources.js';
import type { Tally } from './tally.js';

/**
 * The `firebreak_retr*` metrics of one retry policy: its calls by result, its retries, and the
 * retries its budget refused.
 */
export function bindRetry(retry: RetrySource, metrics: Metrics, attachment: Attachment): void {
  const { name } = retry;
  // Indexed as RETRY_RESULTS: a call costs an array index, not a lookup by label.
  const results: Tally[] = RETRY_RESULTS.map((result) => attachment.tally(metrics.retryCalls, name, result));
  const retries = attachment.tally(metrics.retries, name);
  const exhausted = attachment.tally(metrics.retryBudgetExhausted, name);

  attachment.add(retry.onRetry(() => void retries.count++));
  attachment.add(
    retry.onGiveUp((event) => {
      if (event.reason === 'budget') exhausted.count++;
    }),
  );
  attachment.add(retry.onSettled((event) => void (results[retryResultIndex(!event.failed, event.attempts)] as Tally).count++));
}

/**
 * `firebreak_retry_budget_available` for one budget, read at scrape time. A budget shared by
 * several instrumented retry policies shows once, for as long as one of them is instrumented.
 */
export function bindBudget(budget: BudgetSource, metrics: Metrics, attachment: Attachment): void {
  metrics.claim('retry budget', budget.name, budget, attachment);
  const shown = metrics.budgets.get(budget);
  if (shown) shown.users++;
  else metrics.budgets.set(budget, { labels: attachment.labels(budget.name), users: 1 });
  attachment.add(() => {
    const entry = metrics.budgets.get(budget);
    if (entry && --entry.users === 0) metrics.budgets.delete(budget);
  });
}
