/**
 * The auth service: validates bearer tokens, a few at a time. It has a finite capacity (a fixed
 * number of validations at once, each taking a while); extra load waits in a FIFO queue, so that
 * auth gets slower as load grows. A request whose caller has hung up by the time a worker is free
 * is skipped, as a server that watches its connections does.
 *
 * Its fault switch (admin port, `POST /fault/<mode>`): `healthy`; `hang` (validations wait on
 * something that never answers, until the switch leaves `hang`: then they complete); `refuse`
 * (the port is closed: connections are refused); `slow` (each validation takes `slowMs` more);
 * `error` (every validation fails with a 500). `GET /stats` counts the calls that reached auth.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { chaos, pipeline } from '../../../src/index.js';
import { childConfig, listen, ready, work } from './child.js';
import { FAULT_MODES, type AuthConfig, type AuthStats, type FaultMode } from './contracts.js';

interface Job {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  gone: boolean;
}

const { workers, validationMs, slowMs } = childConfig<AuthConfig>();

let mode: FaultMode = 'healthy';
let hung: { readonly released: Promise<void>; readonly release: () => void } | undefined;
let received = 0;
let validated = 0;
let skipped = 0;
let active = 0;
const queue: Job[] = [];

/** The switch's `slow` and `error` positions are chaos policies behind flag functions. */
const validation = pipeline(
  chaos.fault({ rate: 1, error: () => new Error('auth: injected error'), enabled: () => mode === 'error' }),
  chaos.latency({ rate: 1, delay: slowMs, enabled: () => mode === 'slow' }),
);

const server = createServer((req, res) => {
  received++;
  if (req.url !== '/validate') {
    res.writeHead(404).end();
    return;
  }
  const job: Job = { req, res, gone: false };
  res.on('close', () => (job.gone = !res.writableFinished));
  queue.push(job);
  pump();
});

function pump(): void {
  while (active < workers && queue.length > 0) {
    const job = queue.shift() as Job;
    if (job.gone) {
      skipped++;
      continue;
    }
    active++;
    void validate(job).finally(() => {
      active--;
      pump();
    });
  }
}

async function validate({ req, res }: Job): Promise<void> {
  if (hung) await hung.released;
  try {
    await validation.execute(() => work(validationMs));
  } catch {
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"auth failed"}');
    return;
  }
  validated++;
  const token = /^Bearer ([un][\w-]+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (token === undefined) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid token"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: token }));
}

async function setMode(next: FaultMode): Promise<void> {
  if (next === mode) return;
  const previous = mode;
  mode = next;
  if (next === 'hang') {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    hung = { released, release };
  }
  if (previous === 'hang') {
    hung?.release();
    hung = undefined;
  }
  if (next === 'refuse') {
    server.close();
    server.closeAllConnections();
  }
  if (previous === 'refuse') await listen(server, port);
}

const admin = createServer((req, res) => {
  const wanted = /^\/fault\/(\w+)$/.exec(req.url ?? '')?.[1];
  if (req.method === 'POST' && wanted !== undefined && (FAULT_MODES as readonly string[]).includes(wanted)) {
    void setMode(wanted as FaultMode).then(() => res.writeHead(200).end(mode));
    return;
  }
  if (req.method === 'GET' && req.url === '/stats') {
    const stats: AuthStats = { mode, received, validated, skipped, queued: queue.length, active };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  res.writeHead(404).end();
});

const port = await listen(server);
await ready({ port, adminPort: await listen(admin) });
