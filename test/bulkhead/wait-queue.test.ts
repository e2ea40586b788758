import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WaitQueue, type Waiter } from '../../src/bulkhead/wait-queue.js';

class Item implements Waiter<Item> {
  prev: Item | undefined = undefined;
  next: Item | undefined = undefined;
  waiting = false;
  constructor(readonly id: number) {}
}

/** Drains a queue into the ids of its items, front first. */
function drain(queue: WaitQueue<Item>): number[] {
  const ids: number[] = [];
  for (let item = queue.shift(); item; item = queue.shift()) ids.push(item.id);
  return ids;
}

const operation = fc.oneof(
  fc.constant({ kind: 'push' as const }),
  fc.constant({ kind: 'shift' as const }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
);

describe('WaitQueue', () => {
  it('behaves as a FIFO array with removal from anywhere, over any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const queue = new WaitQueue<Item>();
        const model: Item[] = [];
        const everCreated: Item[] = [];
        for (const op of operations) {
          if (op.kind === 'push') {
            const item = new Item(everCreated.length);
            everCreated.push(item);
            queue.push(item);
            model.push(item);
          } else if (op.kind === 'shift') {
            expect(queue.shift()).toBe(model.shift());
          } else if (everCreated.length > 0) {
            const item = everCreated[op.pick % everCreated.length]!;
            queue.remove(item);
            const at = model.indexOf(item);
            if (at >= 0) model.splice(at, 1);
          }
          expect(queue.length).toBe(model.length);
          for (const item of everCreated) expect(item.waiting).toBe(model.includes(item));
        }
        expect(drain(queue)).toEqual(model.map((item) => item.id));
        expect(queue.length).toBe(0);
      }),
    );
  });

  it('ignores the removal of an item that is not queued, and unlinks removed items', () => {
    const queue = new WaitQueue<Item>();
    const [a, b, c] = [new Item(1), new Item(2), new Item(3)];
    queue.push(a);
    queue.push(b);
    queue.push(c);
    queue.remove(b);
    queue.remove(b);
    expect(queue.length).toBe(2);
    expect([b.prev, b.next, b.waiting]).toEqual([undefined, undefined, false]);
    expect(drain(queue)).toEqual([1, 3]);
    expect(queue.shift()).toBeUndefined();
  });
});
