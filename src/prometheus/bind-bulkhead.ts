import type { Attachment } from './attachment.js';
import { BULKHEAD_REASONS } from './metric-definitions.js';
import type { Metrics } from './metrics.js';
import type { BulkheadSource } from './sources.js';
import type { Tally } from './tally.js';

/**
 * The `firebreak_bulkhead_*` metrics of one bulkhead: active, queued and concurrency at scrape
 * time, rejections by reason, and the time each admitted call waited for its slot (0 when
 * admitted at once); for an adaptive bulkhead, `firebreak_concurrency_limit` at scrape time.
 */
export function bindBulkhead(bulkhead: BulkheadSource, metrics: Metrics, attachment: Attachment): void {
  const { name } = bulkhead;
  metrics.claim('bulkhead', name, bulkhead, attachment);
  // Only an adaptive bulkhead (one with a learned limit) sheds.
  const reasons = bulkhead.stats.limit === undefined ? BULKHEAD_REASONS.filter((reason) => reason !== 'shed') : BULKHEAD_REASONS;
  const rejections = new Map(reasons.map((reason) => [reason as string, attachment.tally(metrics.bulkheadRejections, name, reason)]));
  const full = rejections.get('full');
  const wait = attachment.series(metrics.bulkheadQueueWait, { name });

  attachment.add(bulkhead.onRejected((event) => void ((rejections.get(event.reason) ?? full) as Tally).count++));
  attachment.add(bulkhead.onAdmitted((event) => wait.observe(event.waited / 1000)));

  metrics.bulkheads.set(bulkhead, attachment.labels(name));
  attachment.add(() => metrics.bulkheads.delete(bulkhead));
}
