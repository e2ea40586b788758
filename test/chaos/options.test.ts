import { describe, expect, it } from 'vitest';
import { chaos, InvalidOptionError } from '../../src/index.js';

type Factory = (options: never) => unknown;

const factories: [string, Factory, Record<string, unknown>][] = [
  ['chaos.fault', chaos.fault, { error: 'injected' }],
  ['chaos.latency', chaos.latency, { delay: 10 }],
  ['chaos.result', chaos.result, { value: 'injected' }],
];

function refusal(factory: Factory, options: unknown): string {
  try {
    factory(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe.each(factories)('%s options', (name, factory, required) => {
  it('accepts rates 0 and 1 and the common options', () => {
    expect(() => factory({ ...required, rate: 0 } as never)).not.toThrow();
    expect(() => factory({ ...required, rate: 1, name: 'drill', enabled: () => true, random: Math.random } as never)).not.toThrow();
  });

  it.each([
    [{ rate: 1.5 }, `${name}: \`rate\` must be a number in [0, 1], got 1.5`],
    [{ rate: -0.1 }, `${name}: \`rate\` must be a number in [0, 1], got -0.1`],
    [{ rate: Number.NaN }, `${name}: \`rate\` must be a number in [0, 1], got NaN`],
    [{ rate: '0.5' }, `${name}: \`rate\` must be a number in [0, 1], got "0.5"`],
    [{}, `${name}: \`rate\` must be a number in [0, 1], got undefined`],
    [{ rate: 0.5, enabled: 'yes' }, `${name}: \`enabled\` must be a boolean or a function, got "yes"`],
    [{ rate: 0.5, random: 0.3 }, `${name}: \`random\` must be a function, got 0.3`],
    [{ rate: 0.5, name: '' }, `${name}: \`name\` must be a non-empty string, got ""`],
  ])('refuses %o', (bad, message) => {
    expect(refusal(factory, { ...required, ...bad })).toBe(message);
  });

  it('refuses an unknown option', () => {
    expect(refusal(factory, { ...required, rate: 0.5, probability: 0.5 })).toMatch(new RegExp(`^${name.replace('.', '\\.')}: \`probability\` is not an option of ${name.replace('.', '\\.')} \\(the options are`));
  });

  it('refuses a missing options object', () => {
    expect(refusal(factory, undefined)).toBe(`${name}: \`rate\` must be a number in [0, 1], got undefined`);
    expect(refusal(factory, 5)).toBe(`${name}: \`options\` must be an object, got 5`);
  });
});

describe('chaos options of one kind', () => {
  it('fault: refuses a missing error', () => {
    expect(refusal(chaos.fault as Factory, { rate: 1 })).toBe('chaos.fault: `error` must be an error to inject, or a function that makes one, got undefined');
  });

  it.each([[-1], [Number.NaN], [Infinity], ['100'], [undefined]])('latency: refuses the delay %s', (delay) => {
    expect(refusal(chaos.latency as Factory, { rate: 1, delay })).toMatch(/^chaos\.latency: `delay` must be a finite number of milliseconds >= 0, or a function that returns one, got /);
  });

  it('latency: refuses a clock that is not one', () => {
    expect(refusal(chaos.latency as Factory, { rate: 1, delay: 1, clock: {} })).toBe('chaos.latency: `clock` must be a Clock (now, wallNow, setTimeout, clearTimeout), got an object');
  });

  it('names the policies after the kind unless told', () => {
    expect(chaos.fault({ rate: 1, error: 'x' }).name).toBe('chaos-fault');
    expect(chaos.latency({ rate: 1, delay: 1 }).name).toBe('chaos-latency');
    expect(chaos.result({ rate: 1, value: 1 }).name).toBe('chaos-result');
    expect(chaos.fault({ rate: 1, error: 'x', name: 'auth-drill' }).name).toBe('auth-drill');
  });

  it('exposes rate and enabled', () => {
    const flag = (): boolean => true;
    expect(chaos.fault({ rate: 0.25, error: 'x', enabled: flag })).toMatchObject({ rate: 0.25, enabled: flag });
    expect(chaos.result({ rate: 0.25, value: 1 }).enabled).toBe(true);
  });

  it('the chaos object cannot be changed', () => {
    expect(Object.isFrozen(chaos)).toBe(true);
  });
});
