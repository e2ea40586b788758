import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

const script = fileURLToPath(new URL('../fixtures/sixty-second-timeout.ts', import.meta.url));

describe('a pipeline with a 60 s timeout on a fast function', () => {
  it('lets the process exit at once: no timer keeps it alive', async () => {
    const { code, output } = await runScript(script);
    expect(output).toContain('result 42');
    expect(code).toBe(0);
    // What keeps a process alive, read by the script once its work is done: no timer. (Were one
    // ref'd, the process would also outlive this test's time limit.)
    expect(output).toContain('timers keeping the process alive: 0');
  });
});
