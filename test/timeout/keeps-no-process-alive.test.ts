import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

const script = fileURLToPath(new URL('../fixtures/sixty-second-timeout.ts', import.meta.url));

describe('a pipeline with a 60 s timeout on a fast function', () => {
  it('lets the process exit at once: no timer keeps it alive', async () => {
    const { code, output, elapsedMs } = await runScript(script);
    expect(output).toContain('result 42');
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
