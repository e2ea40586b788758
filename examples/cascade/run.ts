import { Agent, request } from 'node:http';
import { startLoad, type Load, type Sample } from './load.js';
import type { ProcessGroup } from './processes.js';
import type { PhaseName } from './report-types.js';
import { phaseTimes, type Scenario } from './scenario.js';
import type { AuthStats, FaultMode, GatewayConfig, PoolStats, RunMode, ServiceConfig } from './services/contracts.js';
import { TOPOLOGY } from './topology.js';
import { publishScrapeTargets } from './scrape-target.js';
import { planTraffic } from './traffic.js';

/** What one run measured: every request's sample, and the calls that reached auth per phase. */
export interface RunResult {
  readonly samples: Sample[];
  /** How late the load generator sent its requests (p99, ms). */
  readonly loadLagP99Ms: number;
  readonly authCalls: Record<PhaseName, number>;
}

/** What the progress line is told while a run goes on. */
export interface RunWatch {
  readonly mode: RunMode;
  readonly phase: PhaseName;
  readonly elapsedS: number;
  readonly totalS: number;
  readonly load: Load;
  readonly pool: PoolStats | undefined;
}

const admin = new Agent({ keepAlive: false });

/** A call to an admin endpoint of a service (no keep-alive), its body on a 200. */
export function call(method: 'GET' | 'POST', url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: admin }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${method} ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runs the scenario once in `mode`: starts auth, the services and the gateway, sends the
 * planned traffic, turns auth's fault switch at each phase, reads auth's call counter at each
 * phase's end, and stops every process.
 */
export async function runOnce(mode: RunMode, s: Scenario, group: ProcessGroup, watch: (state: RunWatch) => void): Promise<RunResult> {
  const services = s.endpoints.map((endpoint) => {
    const config: ServiceConfig = {
      name: endpoint.service,
      mode,
      needsAuth: endpoint.needsAuth,
      workMs: TOPOLOGY.serviceWorkMs,
      tokenCacheMs: TOPOLOGY.tokenCacheMs,
      naiveAttempts: TOPOLOGY.naiveAttempts.service,
    };
    return group.start(endpoint.service, 'service.ts', config);
  });
  const gatewayConfig: GatewayConfig = {
    mode,
    poolSize: TOPOLOGY.gatewayPoolSize,
    routes: Object.fromEntries(s.endpoints.map((endpoint) => [endpoint.path, endpoint.service])),
    naiveAttempts: TOPOLOGY.naiveAttempts.gateway,
  };
  const started = await Promise.all([group.start('auth', 'auth.ts', TOPOLOGY.auth), group.start('gateway', 'gateway.ts', gatewayConfig), ...services]);
  const addresses = Object.fromEntries(started.map(({ name, ports }) => [name, `http://127.0.0.1:${ports.port}`]));
  await Promise.all(started.map((service) => service.wire(addresses)));
  const [auth] = started;
  const authAdmin = `http://127.0.0.1:${auth?.ports.adminPort}`;
  const gatewayUrl = addresses.gateway as string;
  if (mode === 'protected') {
    const targets = [{ url: gatewayUrl, service: 'gateway' }, ...s.endpoints.filter((e) => e.needsAuth).map((e) => ({ url: addresses[e.service] as string, service: e.service }))];
    publishScrapeTargets(targets);
    group.log(`  metrics  ${targets.map(({ url }) => `${url}/metrics`).join(', ')}`);
    group.log(`           (the gateway's policies and each service's calls to auth; examples/observability/prometheus.yml scrapes them)`);
  }

  const phases = phaseTimes(s);
  const totalS = phases.reduce((end, phase) => Math.max(end, phase.endS), 0);
  const received = async (): Promise<number> => (JSON.parse(await call('GET', `${authAdmin}/stats`)) as AuthStats).received;
  const setAuth = (fault: FaultMode): Promise<string> => call('POST', `${authAdmin}/fault/${fault}`);

  let counted = await received();
  const startedAt = performance.now();
  const load = startLoad(gatewayUrl, planTraffic(s), startedAt, s.clientDeadlineMs);
  let phase: PhaseName = 'steady';
  let pool: PoolStats | undefined;
  const show = setInterval(() => {
    call('GET', `${gatewayUrl}/_pool`).then(
      (body) => (pool = JSON.parse(body) as PoolStats),
      () => (pool = undefined),
    );
    watch({ mode, phase, elapsedS: (performance.now() - startedAt) / 1_000, totalS, load, pool });
  }, 250);

  const authCalls = {} as Record<PhaseName, number>;
  try {
    for (const [i, current] of phases.entries()) {
      phase = current.name;
      const fault = s.phases[i]?.auth ?? 'healthy';
      await setAuth(fault);
      await until(startedAt + current.endS * 1_000);
      const now = await received();
      authCalls[current.name] = now - counted;
      counted = now;
    }
    const samples = await load.done;
    return { samples, authCalls, loadLagP99Ms: load.lagP99Ms() };
  } finally {
    clearInterval(show);
    await group.stopAll();
  }
}

function until(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}
