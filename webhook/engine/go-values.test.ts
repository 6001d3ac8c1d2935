import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';

describe('Go durations', () => {
  it.each([
    ['31s', 31e9, '31s'],
    ['1m30s', 90e9, '1m30s'],
    ['1h', 3600e9, '1h0m0s'],
    ['500ms', 5e8, '500ms'],
    ['1.5s', 1.5e9, '1.5s'],
    ['0', 0, '0s'],
  ])('%s', (text, ns, formatted) => {
    expect(parseGoDuration(text)).toBe(ns);
    expect(formatGoDuration(ns)).toBe(formatted);
  });

  it('rejects what Go rejects', () => {
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseGoDuration('10')).toThrow('time: missing unit in duration "10"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
  });
});
