import type { Fleet, FleetBudgetMember, FleetBudgetReport, FleetBudgetView, FleetMembership } from '../fleet/fleet.js';
import type { RetryBudget, RetryBudgetStats } from './budget.js';

/** The most retries a replica asks its fleet for at one sync. */
const MOST_WANTED = 1_000;

/**
 * A retry budget shared by a fleet: one budget across replicas instead of one reserve each.
 * Deposits are counted locally and sent at each sync; retries are granted by the fleet in small
 * batches (what this replica asked for since the last sync, at least one), spent locally without
 * a round trip, and the unspent ones given back at the next sync. While the fleet is unreachable
 * the replica's own budget (same options, fed every deposit all along) decides.
 */
export class FleetBudget implements RetryBudget, FleetBudgetMember {
  readonly #local: RetryBudget;
  readonly #membership: FleetMembership;
  #deposits = 0;
  #asked = 0;
  #tokens = 0;
  #bucket = 0;
  #refused = 0;
  #view: FleetBudgetView | undefined;
  #hurried = false;

  constructor(local: RetryBudget, fleet: Fleet) {
    this.#local = local;
    this.#membership = fleet.joinBudget(local.name, { ratio: local.ratio, reserve: local.reserve, window: local.window }, this);
  }

  get name(): string {
    return this.#local.name;
  }

  get ratio(): number {
    return this.#local.ratio;
  }

  get minPerSecond(): number {
    return this.#local.minPerSecond;
  }

  get window(): number {
    return this.#local.window;
  }

  get reserve(): number {
    return this.#local.reserve;
  }

  get stats(): RetryBudgetStats {
    const local = this.#local.stats;
    const view = this.#view;
    if (!this.#membership.connected || view === undefined) return { ...local, exhausted: local.exhausted + this.#refused };
    return { available: view.available + this.#tokens, requests: view.requests, retries: view.retries, exhausted: local.exhausted + this.#refused };
  }

  deposit(): void {
    this.#local.deposit();
    this.#deposits++;
  }

  tryWithdraw(): boolean {
    if (!this.#membership.connected || this.#view === undefined) return this.#local.tryWithdraw();
    this.#asked++;
    if (this.#tokens > 0) {
      this.#tokens--;
      return true;
    }
    this.#refused++;
    if (!this.#hurried && this.#view.available > 0) {
      this.#hurried = true;
      this.#membership.syncSoon();
    }
    return false;
  }

  report(): FleetBudgetReport {
    const report: FleetBudgetReport = {
      deposits: this.#deposits,
      unused: this.#tokens,
      unusedBucket: this.#bucket,
      want: Math.min(Math.max(this.#asked, 1), MOST_WANTED),
    };
    this.#deposits = 0;
    this.#asked = 0;
    this.#tokens = 0;
    return report;
  }

  apply(view: FleetBudgetView): void {
    this.#view = view;
    this.#tokens = view.granted;
    this.#bucket = view.bucket;
    this.#hurried = false;
  }

  lost(): void {
    this.#view = undefined;
    this.#hurried = false;
  }
}
