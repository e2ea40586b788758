import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/index.js';
import { DeadlineQueue, type Deadline } from '../../src/timeout/deadline-queue.js';

class Recorded implements Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = false;
  expiredAt: number | undefined;
  constructor(
    readonly at: number,
    readonly id: number,
    readonly now: () => number,
  ) {}
  expire(): void {
    this.expiredAt = this.now();
  }
}

/** Every deadline due by `now` and not removed expired exactly when due; no other one expired. */
function expectExpiries(all: readonly Recorded[], removed: ReadonlySet<Recorded>, now: number): void {
  for (const deadline of all) {
    if (removed.has(deadline)) expect(deadline.expiredAt).toBeUndefined();
    else if (deadline.at <= now) expect(deadline.expiredAt).toBe(deadline.at);
    else expect(deadline.expiredAt).toBeUndefined();
  }
}

type Step = { kind: 'add'; delay: number } | { kind: 'remove'; pick: number } | { kind: 'advance'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), delay: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 150 }) }),
);

describe('the deadline queue', () => {
  it('several queues on one clock share one timer and each expires its deadlines when due', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), step), { maxLength: 80 }), (steps) => {
        const clock = manualClock();
        const queues = [0, 1, 2, 3].map(() => new DeadlineQueue(clock));
        const all: [Recorded, DeadlineQueue][] = [];
        const removed = new Set<Recorded>();
        for (const [which, s] of steps) {
          const queue = queues[which] as DeadlineQueue;
          if (s.kind === 'add') {
            const deadline = new Recorded(clock.now() + s.delay, all.length, () => clock.now());
            all.push([deadline, queue]);
            queue.add(deadline);
          } else if (s.kind === 'remove') {
            const [target, owner] = all[s.pick % Math.max(all.length, 1)] ?? [];
            if (target && owner && target.expiredAt === undefined) {
              owner.remove(target);
              removed.add(target);
            }
          } else {
            clock.advance(s.ms);
          }
          expect(clock.pendingTimers).toBeLessThanOrEqual(1);
          if (s.kind !== 'advance') continue;
          expectExpiries(all.map(([deadline]) => deadline), removed, clock.now());
        }
        clock.advance(1_000);
        expect(clock.pendingTimers).toBe(0);
      }),
    );
  });

  it('expires exactly the deadlines not removed, each exactly when due, with one timer at most', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const clock = manualClock();
        const queue = new DeadlineQueue(clock);
        const all: Recorded[] = [];
        const removed = new Set<Recorded>();
        for (const s of steps) {
          if (s.kind === 'add') {
            const deadline = new Recorded(clock.now() + s.delay, all.length, () => clock.now());
            all.push(deadline);
            queue.add(deadline);
          } else if (s.kind === 'remove') {
            const target = all[s.pick % Math.max(all.length, 1)];
            if (target && target.expiredAt === undefined) {
              queue.remove(target);
              removed.add(target);
            }
          } else {
            clock.advance(s.ms);
          }
          expect(clock.pendingTimers).toBeLessThanOrEqual(1);
          if (s.kind !== 'advance') continue;
          expectExpiries(all, removed, clock.now());
        }
        clock.advance(1_000);
        expect(clock.pendingTimers).toBe(0);
      }),
    );
  });
});
