import { readFileSync } from 'node:fs';
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
