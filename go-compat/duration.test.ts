import { describe, expect, it } from 'vitest';
import { formatGoDuration, GoValueError, parseGoDuration } from './index.ts';

describe('Go durations', () => {
  it.each([
    ['31s', 31e9, '31s'],
    ['1m30s', 90e9, '1m30s'],
    ['1h', 3600e9, '1h0m0s'],
    ['500ms', 5e8, '500ms'],
    ['1.5s', 1.5e9, '1.5s'],
    ['2µs', 2e3, '2µs'],
    ['0', 0, '0s'],
    ['-1m', -60e9, '-1m0s'],
  ])('%s', (text, ns, formatted) => {
    expect(parseGoDuration(text)).toBe(ns);
    expect(formatGoDuration(ns)).toBe(formatted);
  });

  it.each([
    ['abc', 'time: invalid duration "abc"'],
    ['', 'time: invalid duration ""'],
    ['.s', 'time: invalid duration ".s"'],
    ['10', 'time: missing unit in duration "10"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ])('rejects %j as Go does', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(new GoValueError(message));
  });
});
