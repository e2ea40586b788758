import type { Attachment } from './attachment.js';
import type { Metrics } from './metrics.js';
import type { BulkheadSource } from './sources.js';

/**
 * The `firebreak_bulkhead_*` metrics of one bulkhead: active, queued and concurrency at scrape
 * time, rejections by reason, and the time each admitted call waited for its slot (0 when
 * admitted at once).
 */
export function bindBulkhead(bulkhead: BulkheadSource, metrics: Metrics, attachment: Attachment): void {
  const { name } = bulkhead;
  metrics.claim('bulkhead', name, bulkhead, attachment);
  const full = attachment.tally(metrics.bulkheadRejections, name, 'full');
  const queueTimeout = attachment.tally(metrics.bulkheadRejections, name, 'queue-timeout');
  const wait = attachment.series(metrics.bulkheadQueueWait, { name });

  attachment.add(bulkhead.onRejected((event) => void (event.reason === 'queue-timeout' ? queueTimeout : full).count++));
  attachment.add(bulkhead.onAdmitted((event) => wait.observe(event.waited / 1000)));

  metrics.bulkheads.add(bulkhead);
  attachment.add(() => metrics.bulkheads.delete(bulkhead));
}
