/** The phases of the scenario, in order. */
export type PhaseName = 'steady' | 'outage' | 'recovered';

/** The figures of one endpoint in one phase of one run. */
export interface EndpointFigures {
  needsAuth: boolean;
  /** Arrived at the gateway in this phase. */
  requests: number;
  /** Answered 2xx within the client deadline. */
  ok: number;
  /** Of those, served by a fallback. */
  degraded: number;
  /** ok / requests. */
  successRate: number;
  /** Over all requests, a timed-out one at the deadline. */
  p50Ms: number;
  p99Ms: number;
}

/** The figures of one phase of one run. */
export interface PhaseFigures {
  /** Keyed by path, e.g. '/profile'. */
  endpoints: Record<string, EndpointFigures>;
  /** Calls that reached the auth service. */
  authCalls: number;
  /** authCalls / requests to endpoints that need auth. */
  authCallsPerRequest: number;
}

/** One run (naive or protected) over the scenario's traffic. */
export interface DemoRun {
  phases: Record<PhaseName, PhaseFigures>;
  /** From auth's recovery until the success rate of every endpoint stays >= 99 %; null if never. */
  recoverySeconds: number | null;
  /** One point per second. */
  timeline: { t: number; successRate: number; p99Ms: number }[];
  /**
   * How late the load generator sent its requests, p99 in ms: a few ms when the machine keeps up;
   * hundreds when it is too busy for the figures to describe the services rather than the machine.
   */
  loadLagP99Ms: number;
}

/** The JSON report written by `--json FILE`: a contract read by CI, tests and people comparing runs. */
export interface DemoReport {
  scenario: 'auth-outage';
  quick: boolean;
  /** Offered load, open loop. */
  ratePerSecond: number;
  /** Seconds from the run's start. */
  phases: { name: PhaseName; startS: number; endS: number }[];
  runs: { naive: DemoRun; protected: DemoRun };
}

/** Which of the two runs. */
export type RunName = keyof DemoReport['runs'];
