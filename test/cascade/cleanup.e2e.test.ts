import { describe, expect, it } from 'vitest';
import { servicePids, started, startDemo, startedServices, stillRunning } from './demo-process.js';

describe('the demo stops every service it started', () => {
  it('on Ctrl-C (SIGINT) in the middle of a run', async () => {
    const demo = startDemo(['--quick', '--svg', '/dev/null']);
    await demo.waitFor(started(5));
    await demo.waitFor(/\[naive\] steady/);
    const pids = servicePids(demo.output());
    expect(pids).toHaveLength(5);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(await stillRunning(pids)).toEqual([]);
  }, 60_000);

  it('on an error: a service that dies makes the demo fail and stop the others', async () => {
    const demo = startDemo(['--quick', '--svg', '/dev/null']);
    await demo.waitFor(started(5));
    const services = startedServices(demo.output());
    const auth = services.find(({ name }) => name === 'auth');
    if (auth === undefined) throw new Error(`auth was not reported started:\n${demo.output()}`);
    process.kill(auth.pid, 'SIGKILL');
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toMatch(/auth \(pid \d+\) exited during the run \(SIGKILL\)/);
    expect(await stillRunning(services.map(({ pid }) => pid))).toEqual([]);
  }, 60_000);
});

describe('the demo command line', () => {
  it('answers an unknown flag with one clear line and the usage, not a stack trace', async () => {
    const demo = startDemo(['--quik']);
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toMatch(/^demo: Unknown option '--quik'/);
    expect(demo.output()).toContain('usage: npm run demo -- [--quick] [--json FILE] [--svg FILE]');
    expect(demo.output()).not.toMatch(/^\s+at /m);
  });
});
