import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ReplicaConfig, ReplicaResult } from './fixtures/replica.js';

const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
const replicaScript = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url));

/** One request the dependency received: ms after "go", from which replica, answered with which status. */
export interface Arrival {
  readonly t: number;
  readonly replica: string;
  readonly status: number;
}

/** A dependency on 127.0.0.1 that answers 503 while failing, 200 otherwise, and logs every request. */
export interface Dependency {
  readonly url: string;
  readonly arrivals: Arrival[];
  failing: boolean;
  /** Start of the run ("go"), the time base of the arrivals. */
  start: number;
  close(): Promise<void>;
}

/**
 * Starts the dependency. With `failedProbes`, it fails until that many probes have failed (a
 * probe: a request after a silence of `silence` ms), then recovers for good: the run's shape then
 * does not depend on how fast a loaded machine runs the replicas.
 */
export async function startDependency(failing: boolean, failedProbes = Infinity, silence = 250): Promise<Dependency> {
  const arrivals: Arrival[] = [];
  const dependency: Dependency = { url: '', arrivals, failing, start: performance.now(), close: () => Promise.resolve() };
  let probes = 0;
  const server: Server = createServer((request, response) => {
    const t = performance.now() - dependency.start;
    const last = arrivals.at(-1);
    if (dependency.failing && last !== undefined && t - last.t > silence && ++probes > failedProbes) dependency.failing = false;
    const status = dependency.failing ? 503 : 200;
    arrivals.push({ t, replica: String(request.headers['x-replica']), status });
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return Object.assign(dependency, {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

interface Replica {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly result: Promise<ReplicaResult>;
}

function spawnReplica(config: ReplicaConfig): Replica {
  const child = spawn(process.execPath, ['--import', tsx, replicaScript, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const result = new Promise<ReplicaResult>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') markReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line) as ReplicaResult);
    });
    child.once('exit', (code) => reject(new Error(`replica ${config.id} exited with ${code} before its result: ${errors}`)));
  });
  return { child, ready, result };
}

/** Runs `count` replicas: waits until each is ready, says "go" to all at once, and collects their results. */
export async function runReplicas(
  count: number,
  config: Omit<ReplicaConfig, 'id'>,
  dependency: Dependency,
  during?: (elapsed: () => number) => Promise<void>,
): Promise<ReplicaResult[]> {
  const replicas = Array.from({ length: count }, (_, i) => spawnReplica({ ...config, id: `r${i + 1}` }));
  try {
    await Promise.race([Promise.all(replicas.map((replica) => replica.ready)), Promise.all(replicas.map((replica) => replica.result))]);
    dependency.start = performance.now();
    for (const replica of replicas) replica.child.stdin!.write('go\n');
    await during?.(() => performance.now() - dependency.start);
    for (const replica of replicas) replica.child.stdin!.write('stop\n');
    return await Promise.all(replicas.map((replica) => replica.result));
  } finally {
    for (const replica of replicas) if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
  }
}

/** Requests grouped by time: a new group starts after a silence of more than `gap` ms. */
export function bursts(arrivals: readonly Arrival[], gap: number): Arrival[][] {
  const groups: Arrival[][] = [];
  let last = -Infinity;
  for (const arrival of [...arrivals].sort((a, b) => a.t - b.t)) {
    if (arrival.t - last > gap) groups.push([]);
    groups.at(-1)!.push(arrival);
    last = arrival.t;
  }
  return groups;
}
