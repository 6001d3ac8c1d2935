import { describe, expect, it } from 'vitest';
import { contextFrom } from '../cli/inject.ts';
import { kept } from './kept-values.ts';
import { sharedJson } from './shared-value.ts';

const context = () => contextFrom({ filename: '', configDefaults: 'kuma', state: [] });

describe('kept values', () => {
  it('builds once per key and context, and shares the frozen value', () => {
    const ctx = context();
    let builds = 0;
    const build = () => ({ n: ++builds });
    const first = kept(ctx, 'a', build);
    expect(kept(ctx, 'a', build)).toBe(first);
    expect(builds).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(sharedJson(first)).toBe('{"n":1}');
    expect(kept(ctx, 'b', build)).not.toBe(first);
    // Another loaded config keeps its own values.
    expect(kept(context(), 'a', build)).toEqual({ n: 3 });
  });

  it('keeps nothing when the build throws: the same error every time', () => {
    const ctx = context();
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error('bad quantity');
    };
    expect(() => kept(ctx, 'x', failing)).toThrow('bad quantity');
    expect(() => kept(ctx, 'x', failing)).toThrow('bad quantity');
    expect(calls).toBe(2);
  });

  it('keeps nothing under an over-long key: each call builds its own, unshared value', () => {
    const ctx = context();
    const key = `env\n${'x'.repeat(5000)}`;
    const first = kept(ctx, key, () => ({ n: 1 }));
    expect(kept(ctx, key, () => ({ n: 1 }))).not.toBe(first);
    expect(sharedJson(first)).toBeUndefined();
  });

  it('is bounded: a flood of distinct keys does not grow it forever', () => {
    const ctx = context();
    const first = kept(ctx, 'key 0', () => ({ i: 0 }));
    for (let i = 1; i <= 5000; i++) kept(ctx, `key ${i}`, () => ({ i }));
    // The first value was dropped long ago: asking again builds a new one.
    expect(kept(ctx, 'key 0', () => ({ i: 0 }))).not.toBe(first);
  });
});
