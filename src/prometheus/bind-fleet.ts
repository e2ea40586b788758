import type { Attachment } from './attachment.js';
import type { Metrics } from './metrics.js';
import type { FleetSource } from './sources.js';

/** `firebreak_fleet_store_errors_total` and `firebreak_fleet_connected` (read at scrape time) of one fleet. */
export function bindFleet(fleet: FleetSource, metrics: Metrics, attachment: Attachment): void {
  metrics.claim('fleet', fleet.name, fleet, attachment);
  const errors = attachment.tally(metrics.fleetStoreErrors, fleet.name);
  attachment.add(fleet.onStoreError(() => void errors.count++));
  metrics.fleets.add(fleet);
  attachment.add(() => metrics.fleets.delete(fleet));
}
