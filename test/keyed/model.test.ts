import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, keyed, manualClock, type CircuitIsolation } from '../../src/index.js';

type Op = { kind: 'use'; key: string } | { kind: 'advance'; ms: number } | { kind: 'isolate'; key: string } | { kind: 'release'; key: string };

const MAX_KEYS = 3;
const IDLE_TTL = 1_000;

/** The reference: a plain array in order of last use, scanned the obvious way. */
class Model {
  now = 0;
  entries: { key: string; lastUse: number }[] = [];
  isolated = new Set<string>();
  overflows = 0;

  expire(): void {
    this.entries = this.entries.filter((entry) => entry.lastUse > this.now - IDLE_TTL || this.isolated.has(entry.key));
  }

  use(key: string): void {
    this.expire();
    const found = this.entries.findIndex((entry) => entry.key === key);
    if (found >= 0) {
      this.entries.splice(found, 1);
    } else if (this.entries.length >= MAX_KEYS) {
      const victim = this.entries.findIndex((entry) => !this.isolated.has(entry.key));
      if (victim < 0) {
        this.overflows++;
        return;
      }
      this.entries.splice(victim, 1);
    }
    this.entries.push({ key, lastUse: this.now });
  }

  keys(): string[] {
    this.expire();
    return this.entries.map((entry) => entry.key);
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: key.map((k) => ({ kind: 'use' as const, key: k })) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom(1, 500, 999, IDLE_TTL), fc.integer({ min: 0, max: 1_500 })).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: key.map((k) => ({ kind: 'isolate' as const, key: k })) },
  { weight: 1, arbitrary: key.map((k) => ({ kind: 'release' as const, key: k })) },
);

describe('keyed: model of LRU and idle eviction', () => {
  it('keeps the keys a plain LRU with expiry would keep, sparing isolated breakers', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = manualClock();
        const perKey = keyed((k) => circuitBreaker({ name: k, clock }), { maxKeys: MAX_KEYS, idleTtl: IDLE_TTL, clock });
        const model = new Model();
        const isolations = new Map<string, CircuitIsolation>();
        for (const step of ops) {
          switch (step.kind) {
            case 'use':
              perKey.get(step.key);
              model.use(step.key);
              break;
            case 'advance':
              clock.advance(step.ms);
              model.now += step.ms;
              break;
            case 'isolate':
              // Only a kept key's breaker is isolated: the model tracks kept keys.
              if (isolations.has(step.key) || !model.keys().includes(step.key)) break;
              isolations.set(step.key, perKey.get(step.key).isolate());
              model.use(step.key);
              model.isolated.add(step.key);
              break;
            case 'release':
              isolations.get(step.key)?.release();
              isolations.delete(step.key);
              model.isolated.delete(step.key);
              break;
          }
          expect([...perKey.keys()]).toEqual(model.keys());
          expect(perKey.stats.overflows).toBe(model.overflows);
        }
      }),
      { numRuns: 300 },
    );
  });
});
