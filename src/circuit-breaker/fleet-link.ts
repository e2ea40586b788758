import type { Clock } from '../clock.js';
import type { Unsubscribe } from '../events.js';
import type { Fleet, FleetBreakerMember, FleetBreakerReport, FleetBreakerView, FleetMembership } from '../fleet/fleet.js';
import type { CircuitStateChangeEvent } from './events.js';
import type { BreakerSettings, FleetWindowRules } from './options.js';
import { openForAt, type BreakerMachine } from './state-machine.js';

/** What the link needs of its breaker: its state changes and the outcomes of its calls. */
export interface LinkedBreaker {
  onStateChange(listener: (event: CircuitStateChangeEvent) => void): Unsubscribe;
  onSuccess(listener: () => void): Unsubscribe;
  onFailure(listener: () => void): Unsubscribe;
}

/** How long a replica whose open time is up waits for the fleet's word on its probe lease, in ms. */
const LEASE_WAIT = 25;
/** The longest probe lease, for a breaker whose `probeTimeout` is `Infinity`. */
const LONGEST_LEASE = 60_000;

/**
 * One breaker's link to its fleet. The breaker decides every call on its own, at once; the link
 * publishes its openings and probe results at the next sync and applies what the fleet says:
 * open when a quorum of replicas opened, probe only with the fleet's probe lease, close when a
 * probe succeeded anywhere, isolate while an operator isolates the fleet. Nothing here waits on
 * the store: while the fleet is unreachable the breaker runs on local state alone.
 */
class BreakerFleetLink implements FleetBreakerMember {
  readonly #machine: BreakerMachine;
  readonly #clock: Clock;
  readonly #lease: number;
  readonly #membership: FleetMembership;
  readonly #pool: FleetWindowRules | undefined;
  #calls = 0;
  #failures = 0;
  /** An opening of our own not yet published: its clock time and duration. */
  #openedAt = 0;
  #opened = 0;
  #probe: 'success' | 'failure' | undefined;
  #wantProbe = false;
  /** The open time the gate set while asking for the lease: granted, the circuit may probe at once. */
  #leaseWaitUntil = NaN;
  /** Whether the report in flight carries an opening of ours (a fleet close it crosses is older). */
  #reportedOpening = false;
  #view: FleetBreakerView | undefined;
  #viewAt = 0;
  /** The fleet's close token seen at the last sync; `undefined` before the first one. */
  #closedSeen: string | null | undefined;
  #isolation: number | undefined;
  /** True while the link itself moves the breaker: those moves are the fleet's, not news. */
  #applying = false;

  constructor(fleet: Fleet, name: string, breaker: LinkedBreaker, machine: BreakerMachine, settings: BreakerSettings) {
    this.#machine = machine;
    this.#clock = settings.clock;
    this.#lease = Math.min(settings.probeTimeout, LONGEST_LEASE);
    this.#pool = settings.fleetWindow;
    breaker.onStateChange((event) => this.#changed(event));
    if (this.#pool !== undefined) {
      breaker.onSuccess(() => {
        if (machine.state === 'closed') this.#calls++;
      });
      breaker.onFailure(() => {
        if (machine.state !== 'closed') return;
        this.#calls++;
        this.#failures++;
      });
    }
    machine.probeGate = (now) => this.#gate(now);
    this.#membership = fleet.joinBreaker(name, this);
  }

  report(): FleetBreakerReport {
    const now = this.#clock.now();
    const opened = this.#opened > 0 ? Math.max(1, Math.round(this.#opened - (now - this.#openedAt))) : 0;
    const wantProbe = this.#wantProbe ? this.#lease : 0;
    const rules = this.#pool;
    const report: FleetBreakerReport =
      rules === undefined
        ? { opened, probe: this.#probe, wantProbe }
        : {
            opened,
            probe: this.#probe,
            wantProbe,
            pool: { ...rules, calls: this.#calls, failures: this.#failures, openFor: openForAt(this.#machine.rules, this.#machine.opens + 1) },
          };
    this.#calls = 0;
    this.#failures = 0;
    this.#reportedOpening = opened > 0;
    this.#opened = 0;
    this.#probe = undefined;
    this.#wantProbe = false;
    return report;
  }

  apply(view: FleetBreakerView): void {
    const machine = this.#machine;
    const now = this.#clock.now();
    this.#view = view;
    this.#viewAt = now;
    this.#applying = true;
    try {
      this.#isolate(view.isolated);
      const closed = view.closed;
      if (closed !== null && this.#closedSeen !== undefined && closed !== this.#closedSeen && !this.#reportedOpening) machine.closeRemotely();
      this.#closedSeen = closed;
      if (view.openFor > 0 && !view.probing) machine.hold(now, view.openFor);
      if (view.probing && machine.state === 'open' && machine.openUntil === this.#leaseWaitUntil) machine.openUntil = now;
    } finally {
      this.#applying = false;
    }
  }

  lost(): void {
    const machine = this.#machine;
    this.#view = undefined;
    if (this.#reportedOpening && machine.state === 'open') {
      this.#openedAt = this.#clock.now();
      this.#opened = machine.openUntil - this.#openedAt;
    }
    this.#applying = true;
    try {
      this.#isolate(false);
    } finally {
      this.#applying = false;
    }
  }

  /** Ms an open circuit whose time is up must wait for the fleet before probing (0: probe now). */
  #gate(now: number): number {
    const view = this.#view;
    if (!this.#membership.connected || view === undefined) return 0;
    if (view.probing) return 0;
    const wait = Math.max(view.openFor, view.probeHeldFor) - (now - this.#viewAt);
    if (wait > 0) return wait;
    if (!this.#wantProbe) {
      this.#wantProbe = true;
      this.#membership.syncSoon();
    }
    this.#leaseWaitUntil = now + LEASE_WAIT;
    return LEASE_WAIT;
  }

  #changed({ from, to }: CircuitStateChangeEvent): void {
    if (this.#applying) return;
    if (to === 'open') {
      this.#openedAt = this.#clock.now();
      this.#opened = this.#machine.openDuration;
      if (from === 'half-open') this.#probe = 'failure';
    } else if (from === 'half-open' && to === 'closed') {
      this.#probe = 'success';
    } else {
      return;
    }
    if (this.#view !== undefined) this.#view = { ...this.#view, probing: false };
    this.#membership.syncSoon();
  }

  #isolate(isolated: boolean): void {
    const machine = this.#machine;
    if (isolated && this.#isolation === undefined) this.#isolation = machine.isolate();
    else if (!isolated && this.#isolation !== undefined) {
      machine.release(this.#isolation);
      this.#isolation = undefined;
    }
  }
}

/** Joins a breaker to `fleet` under `name`; the link lives as long as the machine it gates. */
export function linkToFleet(fleet: Fleet, name: string, breaker: LinkedBreaker, machine: BreakerMachine, settings: BreakerSettings): void {
  new BreakerFleetLink(fleet, name, breaker, machine, settings);
}
