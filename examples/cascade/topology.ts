import type { AuthConfig } from './services/contracts.js';

/**
 * The capacities of the services: the same in both runs. The outcome of each run comes from
 * these, the traffic and the policies; nothing in it is scripted.
 */
export const TOPOLOGY = {
  /** Auth validates 4 tokens at once, 25 ms each: about 160 validations a second. */
  auth: { workers: 4, validationMs: 25, slowMs: 1_500 } satisfies AuthConfig,
  /** Each service's own work per request. */
  serviceWorkMs: 5,
  /** Connections in the gateway's one pool, shared by every upstream call. */
  gatewayPoolSize: 64,
  /** How long a service may serve a validated token from its cache when auth cannot answer. */
  tokenCacheMs: 30_000,
  /** The naive run's attempts per call: the gateway's calls to services, the services' calls to auth. */
  naiveAttempts: { gateway: 3, service: 4 },
} as const;
