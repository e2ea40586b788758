import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

const script = fileURLToPath(new URL('../fixtures/hedge-timers.ts', import.meta.url));

describe('a process using hedges', () => {
  it('gets every result, even past a loser that never settles, and then exits: no timer keeps it alive', async () => {
    const { code, output, elapsedMs } = await runScript(script);
    expect(output).toContain('results 42 7');
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
