import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firebreak } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { hasTool, requireTool } from '../helpers/system-tools.js';

const observability = fileURLToPath(new URL('../../examples/observability/', import.meta.url));

interface QueryResult {
  status: string;
  error?: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/** An HTTP service whose calls to 'auth' go through an instrumented firebreak() with an open circuit. */
async function startService(): Promise<{ server: Server; port: number }> {
  const registry = new Registry();
  const auth = firebreak('auth', { fallback: 'cached', circuitBreaker: { window: { type: 'consecutive', failures: 1 }, openFor: 600_000 } });
  instrument(auth, { registry });
  await auth.execute(() => Promise.reject(new Error('auth is down')));
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

describe.skipIf(!hasTool('prometheus'))('a real Prometheus server', () => {
  let service: { server: Server; port: number };
  let prometheus: ChildProcess;
  let api: string;
  let dir: string;
  let logs = '';

  beforeAll(async () => {
    const binary = requireTool('prometheus');
    service = await startService();
    dir = mkdtempSync(join(tmpdir(), 'firebreak-prometheus-'));
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(join(observability, 'alerts.yml')));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        '  - alerts.yml',
        'scrape_configs:',
        '  - job_name: firebreak-e2e',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${service.port}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      binary,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
    prometheus.stderr?.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (service) await new Promise((resolve) => service.server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<QueryResult> {
    const response = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`);
    return (await response.json()) as QueryResult;
  }

  /** Queries until `promql` returns a sample: the server has started and scraped the service. */
  async function firstSamples(promql: string, within: number): Promise<QueryResult['data']['result']> {
    const deadline = performance.now() + within;
    for (;;) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited with ${prometheus.exitCode}:\n${logs}`);
      const result = await query(promql).catch(() => undefined);
      if (result?.status === 'success' && result.data.result.length > 0) return result.data.result;
      if (performance.now() > deadline) throw new Error(`no sample of ${promql} within ${within} ms; prometheus said:\n${logs}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('scrapes an instrumented service and answers firebreak_circuit_state for its breaker', async () => {
    const samples = await firstSamples('firebreak_circuit_state{name="auth"}', 45_000);
    const byState: Record<string, string> = Object.fromEntries(samples.map((sample) => [sample.metric.state ?? '', sample.value[1]] as const));
    expect(byState).toEqual({ closed: '0', open: '1', 'half-open': '0', isolated: '0' });
    expect(samples[0]?.metric).toMatchObject({ __name__: 'firebreak_circuit_state', job: 'firebreak-e2e', name: 'auth' });
  }, 60_000);

  it('runs every query of the Grafana dashboard', async () => {
    await firstSamples('firebreak_fallbacks_total{name="auth"}', 45_000);
    const dashboard = JSON.parse(readFileSync(join(observability, 'dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(exprs.length).toBeGreaterThan(15);
    for (const expr of exprs) {
      const concrete = expr.replaceAll('$job', '.*').replaceAll('$name', '.*').replaceAll('$__rate_interval', '1m');
      const result = await query(concrete);
      expect(result.error, concrete).toBeUndefined();
      expect(result.status, concrete).toBe('success');
    }
    const state = await query(exprs[0]!.replaceAll('$job', '.*').replaceAll('$name', '.*'));
    expect(state.data.result.map((sample) => [sample.metric, sample.value[1]])).toEqual([[{ name: 'auth' }, '2']]);
  }, 60_000);

  it('loads the alerting rules', async () => {
    await firstSamples('firebreak_circuit_state{name="auth"}', 45_000);
    const evaluated = (rules: { health: string }[]): boolean => rules.length === 4 && rules.every((rule) => rule.health === 'ok');
    const deadline = performance.now() + 20_000;
    let rules: { name: string; health: string }[] = [];
    for (;;) {
      const response = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } };
      rules = response.data.groups.flatMap((group) => group.rules);
      if (evaluated(rules) || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(rules.map((rule) => rule.name)).toEqual(['FirebreakCircuitOpen', 'FirebreakRetryBudgetExhausted', 'FirebreakBulkheadRejecting', 'FirebreakCallLatencyHigh']);
    expect(rules.map((rule) => rule.health)).toEqual(['ok', 'ok', 'ok', 'ok']);
  }, 60_000);
});
