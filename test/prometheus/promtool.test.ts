import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS } from '../../src/prometheus/metric-definitions.js';
import { scriptedSequence } from './scripted-sequence.js';
import { hasTool } from '../helpers/system-tools.js';
import { run } from './tools.js';

const observability = fileURLToPath(new URL('../../examples/observability/', import.meta.url));

describe.skipIf(!hasTool('promtool'))('promtool', () => {
  it('finds nothing to complain about in the exposition text', async () => {
    const registry = new Registry();
    await scriptedSequence(registry);
    const text = await registry.metrics();
    expect(text).toContain('firebreak_circuit_state{name="auth",state="closed"} 1');
    const result = await run('promtool', ['check', 'metrics'], { input: text });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('complains about a metric that breaks the naming rules (the check can fail)', async () => {
    const result = await run('promtool', ['check', 'metrics'], { input: '# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n' });
    expect(result.stdout + result.stderr).toContain('counter metrics should have "_total" suffix');
    expect(result.code).not.toBe(0);
  });

  it('accepts the alerting rules', async () => {
    const result = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: observability });
    expect(result.stdout).toContain('SUCCESS: 4 rules found');
    expect(result.code).toBe(0);
  });

  it('passes the unit tests of the alerting rules, which exercise every alert', async () => {
    const tests = readFileSync(`${observability}alerts.test.yml`, 'utf8');
    const rules = readFileSync(`${observability}alerts.yml`, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]);
    expect(alerts).toEqual(['FirebreakCircuitOpen', 'FirebreakRetryBudgetExhausted', 'FirebreakBulkheadRejecting', 'FirebreakCallLatencyHigh']);
    for (const alert of alerts) expect(tests).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`));
    const result = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: observability });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it("the dashboard's failure ratio agrees with the breaker: 5xx results it judged failures count, its rejections do not", async () => {
    const dashboard = JSON.parse(readFileSync(`${observability}dashboard.json`, 'utf8')) as { panels: { title: string; description?: string; targets?: { expr: string }[] }[] };
    const panel = dashboard.panels.find((candidate) => candidate.title.startsWith('Failure ratio'));
    expect(panel?.description).toContain('HTTP 5xx');
    const expr = (panel?.targets?.[0]?.expr ?? '').replaceAll('$job', '.*').replaceAll('$name', '.*').replaceAll('$__rate_interval', '5m');
    // Each minute the breaker of `auth` sees 30 successes and 10 failures (503 responses: results,
    // so every call through execute resolves) and turns 60 calls away: a failure ratio of 25 %.
    const series = [
      ['firebreak_circuit_calls_total{result="success"}', '0+30x10'],
      ['firebreak_circuit_calls_total{result="failure"}', '0+10x10'],
      ['firebreak_circuit_calls_total{result="rejected"}', '0+60x10'],
      ['firebreak_call_duration_seconds_count{outcome="success"}', '0+100x10'],
    ];
    const test = [
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series.flatMap(([name, values]) => [`      - series: '${name!.replace('{', '{job="demo", name="auth", ')}'`, `        values: '${values}'`]),
      '    promql_expr_test:',
      `      - expr: '${expr}'`,
      '        eval_time: 10m',
      '        exp_samples:',
      `          - labels: '{name="auth"}'`,
      '            value: 0.25',
      '',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-panel-'));
    try {
      writeFileSync(join(dir, 'panel.test.yml'), test);
      const result = await run('promtool', ['test', 'rules', 'panel.test.yml'], { cwd: dir });
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the Prometheus configuration', async () => {
    const result = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: observability });
    expect(result.stdout + result.stderr).not.toContain('WARNING');
    expect(result.code).toBe(0);
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(`${observability}dashboard.json`, 'utf8')) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
  const names = new Set<string>(Object.values(DEFINITIONS).map((definition) => definition.name));

  it('queries only firebreak\'s metrics, and shows every one of them', () => {
    const used = new Set(exprs.flatMap((expr) => [...expr.matchAll(/firebreak_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|count|sum)$/, ''))));
    expect([...used].filter((name) => !names.has(name))).toEqual([]);
    expect([...names].filter((name) => !used.has(name))).toEqual([]);
  });

  it('has the panels the issue asks for', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    expect(titles).toEqual(expect.arrayContaining(['Circuit state', 'Rejections', 'Retries per call', 'Retry budget available', 'Bulkhead saturation', 'Call latency']));
    expect(dashboard.panels.find((panel) => panel.title === 'Circuit state')?.type).toBe('state-timeline');
  });
});
