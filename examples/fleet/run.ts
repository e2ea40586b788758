import { call as adminCall, type RunResult } from '../cascade/run.js';
import { startLoad } from '../cascade/load.js';
import type { ProcessGroup } from '../cascade/processes.js';
import type { PhaseName } from '../cascade/report-types.js';
import { phaseTimes, type Scenario } from '../cascade/scenario.js';
import type { AuthStats, ServiceConfig } from '../cascade/services/contracts.js';
import { TOPOLOGY } from '../cascade/topology.js';
import { planTraffic } from '../cascade/traffic.js';
import { startBalancer } from './balancer.js';

/** The three runs of the fleet demo. */
export type FleetRunName = 'naive' | 'local' | 'fleet';

/** Replicas of the gateway behind the balancer. */
export const REPLICAS = 3;

/**
 * One run: auth, `REPLICAS` replicas of the service that validates every request with auth
 * (examples/cascade/services/service.ts), a round-robin balancer in front of them, the planned
 * traffic, auth's fault switch turned at each phase, and auth's call counter read at each phase's end.
 */
export async function runFleet(name: FleetRunName, s: Scenario, group: ProcessGroup, redisPort: number): Promise<RunResult> {
  const prefix = `demo-${process.pid}-${name}:`;
  const replica: ServiceConfig = {
    name: 'profile',
    mode: name === 'naive' ? 'naive' : 'protected',
    needsAuth: true,
    workMs: TOPOLOGY.serviceWorkMs,
    tokenCacheMs: TOPOLOGY.tokenCacheMs,
    naiveAttempts: TOPOLOGY.naiveAttempts.service,
    ...(name === 'fleet' ? { fleet: { redisPort, prefix } } : {}),
  };
  const started = await Promise.all([
    group.start('auth', 'auth.ts', TOPOLOGY.auth),
    ...Array.from({ length: REPLICAS }, (_, i) => group.start(`gateway-${i + 1}`, 'service.ts', replica)),
  ]);
  const [auth, ...replicas] = started;
  const authUrl = `http://127.0.0.1:${auth.ports.port}`;
  await Promise.all(replicas.map((service) => service.wire({ auth: authUrl })));
  const balancer = await startBalancer(replicas.map((service) => `http://127.0.0.1:${service.ports.port}`));
  const authAdmin = `http://127.0.0.1:${auth.ports.adminPort}`;
  const received = async (): Promise<number> => (JSON.parse(await adminCall('GET', `${authAdmin}/stats`)) as AuthStats).received;
  try {
    const startedAt = performance.now();
    const load = startLoad(balancer.url, planTraffic(s), startedAt, s.clientDeadlineMs);
    const authCalls = {} as Record<PhaseName, number>;
    let counted = await received();
    for (const [i, phase] of phaseTimes(s).entries()) {
      await adminCall('POST', `${authAdmin}/fault/${s.phases[i]?.auth ?? 'healthy'}`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + phase.endS * 1_000 - performance.now())));
      const now = await received();
      authCalls[phase.name] = now - counted;
      counted = now;
    }
    const samples = await load.done;
    return { samples, authCalls, loadLagP99Ms: load.lagP99Ms() };
  } finally {
    await balancer.close();
    await group.stopAll();
  }
}
