import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface Row {
  readonly id: string;
  readonly pending?: string;
  readonly ratios?: Record<string, number>;
  readonly nsPerCall?: Record<string, number>;
  readonly bytesPerInstance?: Record<string, number>;
  readonly contenders?: Record<string, unknown>;
}

interface Target {
  readonly id: string;
  readonly status: string;
  readonly ratio: number | null;
}

interface Figures {
  readonly quick: boolean;
  readonly calls: { readonly rows: readonly Row[] };
  readonly memory: { readonly rows: readonly Row[] };
  readonly concurrency: { readonly rows: readonly Row[] };
  readonly soak: { readonly rows: readonly Row[] };
  readonly keyed: { readonly rows: readonly Row[] };
  readonly targets: readonly Target[];
}

const PEERS = ['firebreak', 'cockatiel', 'opossum'];
const BREAKERS = ['breaker-consecutive', 'breaker-count', 'breaker-time'];

/** Every row of the suite, with what each must have measured. */
const EXPECTED: Record<keyof Omit<Figures, 'quick' | 'targets'>, Record<string, readonly string[]>> = {
  calls: {
    'bare-await': ['bare'],
    ...Object.fromEntries(['timeout', 'retry', ...BREAKERS, 'bulkhead', 'fallback', 'open-circuit'].map((id) => [id, PEERS])),
    pipeline: [...PEERS, 'bare'],
    metrics: ['instrumented', 'plain'],
    opentelemetry: ['instrumented', 'plain'],
    'adaptive-bulkhead': ['adaptive', 'static'],
    'time-window-failure': ['full', 'empty'],
  },
  memory: Object.fromEntries([...BREAKERS, 'bulkhead', 'pipeline'].map((id) => [id, PEERS])),
  concurrency: { 'bulkhead-10k': ['firebreak', 'p-limit', 'cockatiel'] },
  soak: { soak: [] },
  keyed: {
    fetch: ['plain', 'undici retry', 'firebreak'],
    'keyed-entry': ['keyed alone (one shared policy)', 'keyed + circuitBreaker', 'keyed + firebreak/undici default policy'],
  },
};

function measured(row: Row): readonly string[] {
  return Object.keys(row.nsPerCall ?? row.bytesPerInstance ?? row.contenders ?? {});
}

const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('runs every row and writes the figures and the targets as JSON', async () => {
    const file = join(dir, 'bench.json');
    const { stdout } = await promisify(execFile)(process.execPath, ['bench/run.mjs', '--quick', '--json', file], {
      cwd: join(import.meta.dirname, '../..'),
      timeout: 150_000,
    });
    expect(stdout).toContain('Targets');
    const figures = JSON.parse(readFileSync(file, 'utf8')) as Figures;
    expect(figures.quick).toBe(true);
    for (const [section, rows] of Object.entries(EXPECTED)) {
      const got = figures[section as keyof typeof EXPECTED].rows;
      expect(got.map((row) => row.id).sort(), section).toEqual(Object.keys(rows).sort());
      for (const row of got) {
        expect(row.pending, `${section}/${row.id}`).toBeUndefined();
        expect(measured(row), `${section}/${row.id}`).toEqual(expect.arrayContaining([...(rows[row.id] ?? [])]));
        if (row.id !== 'bare-await') expect(Object.keys(row.ratios ?? {}), `${section}/${row.id}`).not.toHaveLength(0);
      }
    }
    expect(figures.targets.length).toBeGreaterThan(0);
    for (const target of figures.targets) expect(['met', 'missed'], target.id).toContain(target.status);
  }, 180_000);
});
