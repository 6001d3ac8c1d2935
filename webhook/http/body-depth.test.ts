import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './body-depth.ts';

const nested = (depth: number): unknown => JSON.parse('{"a":['.repeat(depth) + '1' + ']}'.repeat(depth));

describe('nestsDeeperThan', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: [1] }, 2)).toBe(false);
  });

  it('walks 20,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(10_000), 100)).toBe(true);
    expect(nestsDeeperThan(nested(10_000), 20_001)).toBe(false);
  });

  it('finds the one deep branch among shallow ones', () => {
    const body = { a: 1, b: [{ c: 2 }], d: { e: { f: { g: [[[]]] } } } };
    expect(nestsDeeperThan(body, 6)).toBe(true);
    expect(nestsDeeperThan(body, 7)).toBe(false);
  });
});
