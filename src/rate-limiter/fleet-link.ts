import type { Fleet, FleetLimiterMember, FleetLimiterReport, FleetLimiterView, FleetMembership } from '../fleet/fleet.js';
import type { GcraParams } from './gcra.js';

/** How long a replica that ran out of admissions says to wait, before the fleet's next word. */
const NO_WORD_YET = 25;

/**
 * A rate limiter's link to its fleet: admissions are granted by the fleet's GCRA (one script on
 * the store's clock) in batches of what this replica asked for since the last sync, spent here
 * without a round trip, and the unspent ones given back at the next sync. While the fleet is
 * unreachable, the replica limits on its own to its share of the rate (the rate divided by the
 * replicas last seen).
 */
export class LimiterFleetLink implements FleetLimiterMember {
  readonly #membership: FleetMembership;
  readonly #burst: number;
  #tokens = 0;
  #asked = 0;
  #hurried = false;
  #view: FleetLimiterView | undefined;
  #replicas = 1;

  constructor(fleet: Fleet, name: string, params: GcraParams) {
    this.#burst = params.burst;
    this.#membership = fleet.joinLimiter(name, { emission: params.emission, burst: params.burst }, this);
  }

  /** Whether the fleet decides: connected, with an answer to go by. */
  get active(): boolean {
    return this.#membership.connected && this.#view !== undefined;
  }

  /** Milliseconds until the fleet would admit another call, for a rejection. */
  get retryAfter(): number {
    return Math.max(this.#view?.retryAfter ?? 0, NO_WORD_YET);
  }

  /** This replica's share of the limits while it decides alone. */
  share(params: GcraParams): GcraParams {
    const replicas = this.#replicas;
    return { emission: params.emission * replicas, burst: Math.max(1, params.burst / replicas), maxWait: params.maxWait };
  }

  /** Takes one admission granted by the fleet. */
  take(): boolean {
    this.#asked++;
    if (this.#tokens > 0) {
      this.#tokens--;
      return true;
    }
    if (!this.#hurried) {
      this.#hurried = true;
      this.#membership.syncSoon();
    }
    return false;
  }

  report(): FleetLimiterReport {
    const report = { want: Math.min(Math.max(this.#asked, 1), Math.max(1, Math.ceil(this.#burst))), unused: this.#tokens };
    this.#tokens = 0;
    this.#asked = 0;
    return report;
  }

  apply(view: FleetLimiterView): void {
    this.#view = view;
    this.#tokens = view.granted;
    this.#replicas = Math.max(1, view.replicas);
    this.#hurried = false;
  }

  lost(): void {
    this.#view = undefined;
    this.#hurried = false;
  }
}
