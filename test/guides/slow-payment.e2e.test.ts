import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

describe('the slow-payment guide, run as a process', () => {
  it('prints a trace that points at the payment API, with the timeouts, the retry and the fallback as span events', async () => {
    const { code, output } = await runScript(fileURLToPath(new URL('../../examples/slow-payment/index.ts', import.meta.url)));
    expect(code, output).toBe(0);
    const line = output.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, output).toBeDefined();
    const result = JSON.parse((line ?? '').slice('RESULT '.length)) as Record<string, unknown>;
    expect(result).toMatchObject({ guide: 'slow-payment', slowestDependency: 'payment', paid: { status: 'pending' }, paymentAttempts: 2, paymentTimeouts: 2 });
    expect(result.checkoutSpanEvents).toEqual(['firebreak.timeout:payment', 'firebreak.retry:payment', 'firebreak.timeout:payment', 'firebreak.fallback:payment']);
    expect(output).toContain('The slowest dependency in the trace: payment');
  });
});
