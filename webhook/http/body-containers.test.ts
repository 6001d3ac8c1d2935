import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdsMoreContainersThan } from './body-containers.ts';

/** The objects and arrays of a parsed value: what the scan must count on the text. */
function containers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + (Array.isArray(value) ? value : Object.values(value)).reduce<number>((sum, child) => sum + containers(child), 0);
}

describe('holdsMoreContainersThan', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    const text = JSON.stringify({ a: ['{[', { b: 'x\\"[{' }], c: '"', d: {} });
    expect(holdsMoreContainersThan(text, 3)).toBe(true);
    expect(holdsMoreContainersThan(text, 4)).toBe(false);
    expect(holdsMoreContainersThan('"[[[["', 1)).toBe(false);
    expect(holdsMoreContainersThan('[[]]', 1)).toBe(true);
  });

  it('counts exactly what JSON.parse builds, for any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const count = containers(JSON.parse(text));
        expect(holdsMoreContainersThan(text, count)).toBe(false);
        if (count > 0) expect(holdsMoreContainersThan(text, count - 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('stops at the bound on 7 MiB of empty objects', () => {
    const text = `[${'{},'.repeat(2_400_000)}{}]`;
    expect(holdsMoreContainersThan(text, 262_144)).toBe(true);
  });
});
