import { describe, expect, it } from 'vitest';
import { pipeline, timeout, fallback, type CallContext, type Policy } from '../../src/index.js';

function recorder(name: string, log: string[]): Policy {
  return {
    name,
    async execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>): Promise<T> {
      log.push(`${name}:in`);
      try {
        return await fn({ signal: new AbortController().signal, attempt: 1, deadline: Infinity });
      } finally {
        log.push(`${name}:out`);
      }
    },
  };
}

describe('pipeline', () => {
  it('runs the first policy outermost', async () => {
    const log: string[] = [];
    const result = await pipeline(recorder('a', log), recorder('b', log)).execute(() => {
      log.push('fn');
      return 7;
    });
    expect(result).toBe(7);
    expect(log).toEqual(['a:in', 'b:in', 'fn', 'b:out', 'a:out']);
  });

  it('lets an outer fallback replace an inner timeout', async () => {
    const result = await pipeline(fallback('fallback'), timeout(5)).execute(
      () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 100)),
    );
    expect(result).toBe('fallback');
  });

  it('with no policy runs the function as it is', async () => {
    await expect(pipeline().execute(() => 'plain')).resolves.toBe('plain');
  });

  it('names itself after its policies and exposes them', () => {
    const a = timeout({ name: 'outer', duration: 10 });
    const b = timeout({ name: 'inner', duration: 5 });
    const both = pipeline(a, b);
    expect(both.name).toBe('outer > inner');
    expect(both.policies).toEqual([a, b]);
  });

  it('nests pipelines', async () => {
    const log: string[] = [];
    await pipeline(recorder('a', log), pipeline(recorder('b', log), recorder('c', log))).execute(() => log.push('fn'));
    expect(log).toEqual(['a:in', 'b:in', 'c:in', 'fn', 'c:out', 'b:out', 'a:out']);
  });
});
