import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

const script = fileURLToPath(new URL('./fixtures/waiting-in-queue.ts', import.meta.url));

describe('a caller waiting in a bulkhead queue with a 60 s queueTimeout', () => {
  it('lets the process exit at once: the queueTimeout timer is unref’d', async () => {
    const { code, output } = await runScript(script);
    expect(output).toContain('queued 1');
    expect(code).toBe(0);
    // What keeps a process alive, read by the script once its work is done: no timer. (Were one
    // ref'd, the process would also outlive this test's time limit.)
    expect(output).toContain('timers keeping the process alive: 0');
  });
});
