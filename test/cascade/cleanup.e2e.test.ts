import { describe, expect, it } from 'vitest';
import { servicePids, startDemo, stillRunning } from './demo-process.js';

const ALL_STARTED = /started gateway\s+pid=\d+/;

describe('the demo stops every service it started', () => {
  it('on Ctrl-C (SIGINT) in the middle of a run', async () => {
    const demo = startDemo(['--quick', '--svg', '/dev/null']);
    await demo.waitFor(ALL_STARTED);
    await demo.waitFor(/\[naive\] steady/);
    const pids = servicePids(demo.output());
    expect(pids).toHaveLength(5);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(await stillRunning(pids)).toEqual([]);
  }, 60_000);

  it('on an error: a service that dies makes the demo fail and stop the others', async () => {
    const demo = startDemo(['--quick', '--svg', '/dev/null']);
    await demo.waitFor(ALL_STARTED);
    const pids = servicePids(demo.output());
    const [auth, ...others] = pids;
    process.kill(auth as number, 'SIGKILL');
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toMatch(/auth \(pid \d+\) exited during the run \(SIGKILL\)/);
    expect(await stillRunning(others)).toEqual([]);
  }, 60_000);
});
