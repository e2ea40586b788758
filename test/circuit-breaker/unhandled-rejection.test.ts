import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';

describe('the rejection of an open circuit', () => {
  it('is an unhandled rejection when the caller ignores it, and not when the caller handles it', async () => {
    const script = fileURLToPath(new URL('./fixtures/unhandled-rejection.ts', import.meta.url));
    const { code, output } = await runScript(script);
    expect(code, output).toBe(0);
    const seen = JSON.parse(output) as { reported: unknown[]; handledIsCircuitOpen: boolean };
    expect(seen.handledIsCircuitOpen).toBe(true);
    expect(seen.reported).toEqual([{ name: 'CircuitOpenError', isCircuitOpen: true, policy: 'dep' }]);
  });
});
