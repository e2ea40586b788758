/** What the demo and its child processes agree on: their configurations and the auth admin API. */

/** The configuration of the auth process. */
export interface AuthConfig {
  /** Validations at once. */
  readonly workers: number;
  /** Milliseconds per validation. */
  readonly validationMs: number;
  /** Milliseconds added to each validation in the `slow` mode. */
  readonly slowMs: number;
}

/** The positions of auth's fault switch (admin port, `POST /fault/<mode>`). */
export const FAULT_MODES = ['healthy', 'hang', 'refuse', 'slow', 'error'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** What `GET /stats` on auth's admin port answers. */
export interface AuthStats {
  readonly mode: FaultMode;
  /** Requests that reached auth (the figure the demo calls auth calls). */
  readonly received: number;
  readonly validated: number;
  /** Requests skipped because their caller had hung up before a worker was free. */
  readonly skipped: number;
  readonly queued: number;
  readonly active: number;
}

/** The configuration of a service process (profile, orders, catalog). */
export interface ServiceConfig {
  readonly name: string;
  readonly mode: RunMode;
  /** Whether it validates every request with the auth service. */
  readonly needsAuth: boolean;
  /** Milliseconds of the service's own work per request. */
  readonly workMs: number;
  /** How long a validated token may be served from the cache when auth cannot answer. */
  readonly tokenCacheMs: number;
  /** Attempts per call to auth in the naive mode. */
  readonly naiveAttempts: number;
  /** Share auth's breaker and retry budget with the other replicas through this Redis (`npm run demo:fleet`). */
  readonly fleet?: { readonly redisPort: number; readonly prefix: string };
}

/** The configuration of the gateway process. */
export interface GatewayConfig {
  readonly mode: RunMode;
  /** Connections in the shared pool. */
  readonly poolSize: number;
  /** Path to the name of the service behind it. */
  readonly routes: Record<string, string>;
  /** Attempts per upstream call in the naive mode. */
  readonly naiveAttempts: number;
}

/** What `GET /_pool` on the gateway answers. */
export interface PoolStats {
  readonly size: number;
  readonly inUse: number;
  readonly waiting: number;
}

/** How the services call each other: as in the incident, or protected by firebreak. */
export type RunMode = 'naive' | 'protected';
