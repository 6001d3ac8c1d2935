import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from './rate-limit.ts';

describe('SlidingWindowLimit', () => {
  it('allows at most `limit` takes in any window', () => {
    let now = 0;
    const limit = new SlidingWindowLimit(3, 60_000, () => now);
    const taken: number[] = [];
    for (now = 0; now < 300_000; now += 1000) if (limit.tryTake()) taken.push(now);
    for (const start of taken) expect(taken.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(3);
    expect(taken.length).toBe(15);
  });

  it('says when the next slot frees up', () => {
    let now = 1000;
    const limit = new SlidingWindowLimit(1, 60_000, () => now);
    expect(limit.msUntilFree()).toBe(0);
    expect(limit.tryTake()).toBe(true);
    now = 31_000;
    expect(limit.tryTake()).toBe(false);
    expect(limit.msUntilFree()).toBe(30_000);
  });
});
