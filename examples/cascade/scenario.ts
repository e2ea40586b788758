import type { PhaseName } from './report-types.js';
import type { FaultMode } from './services/contracts.js';

/** One endpoint of the gateway and the service behind it. */
export interface Endpoint {
  readonly path: string;
  readonly service: ServiceName;
  readonly needsAuth: boolean;
  /** Requests per second sent to it. */
  readonly ratePerSecond: number;
}

/** The services behind the gateway. */
export type ServiceName = 'profile' | 'orders' | 'catalog';

/** The traffic and timing of one demo. Everything else comes from the services and the policies. */
export interface Scenario {
  readonly quick: boolean;
  readonly endpoints: readonly Endpoint[];
  /** The phases in order, and the position of auth's fault switch during each. */
  readonly phases: readonly { readonly name: PhaseName; readonly seconds: number; readonly auth: FaultMode }[];
  /** A user gives up on a request after this long. */
  readonly clientDeadlineMs: number;
  /** Users who come back and whose tokens auth has validated recently. */
  readonly returningUsers: number;
  /** The share of requests from users seen for the first time (a fresh token). */
  readonly newUserShare: number;
  /** Seed of the traffic: both runs get the same sequence of endpoints and users. */
  readonly seed: number;
}

const ENDPOINTS: readonly Endpoint[] = [
  { path: '/profile', service: 'profile', needsAuth: true, ratePerSecond: 50 },
  { path: '/orders', service: 'orders', needsAuth: true, ratePerSecond: 50 },
  { path: '/catalog', service: 'catalog', needsAuth: false, ratePerSecond: 50 },
];

/** The scenario of `npm run demo` (quick: `npm run demo -- --quick`). */
export function scenario(quick: boolean): Scenario {
  return {
    quick,
    endpoints: ENDPOINTS,
    phases: quick
      ? [
          { name: 'steady', seconds: 4, auth: 'healthy' },
          { name: 'outage', seconds: 5, auth: 'hang' },
          { name: 'recovered', seconds: 5, auth: 'healthy' },
        ]
      : [
          { name: 'steady', seconds: 10, auth: 'healthy' },
          { name: 'outage', seconds: 10, auth: 'hang' },
          { name: 'recovered', seconds: 20, auth: 'healthy' },
        ],
    clientDeadlineMs: 1_000,
    returningUsers: 50,
    newUserShare: 0.05,
    seed: 20_240_611,
  };
}

/** Offered load of the whole scenario, in requests per second. */
export function totalRate(s: Scenario): number {
  return s.endpoints.reduce((sum, endpoint) => sum + endpoint.ratePerSecond, 0);
}

/** The phases with their start and end, in seconds from the run's start. */
export function phaseTimes(s: Scenario): { name: PhaseName; startS: number; endS: number }[] {
  let start = 0;
  return s.phases.map(({ name, seconds }) => {
    const phase = { name, startS: start, endS: start + seconds };
    start += seconds;
    return phase;
  });
}
