import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';
import { canonicalQuantity, milliValue, parseQuantity } from './quantity.ts';

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

describe('Kubernetes quantities (canonical form of the typed round trip)', () => {
  it.each([
    ['1000m', '1'],
    ['1100m', '1100m'],
    ['8500m', '8500m'],
    ['0.5', '500m'],
    ['50M', '50M'],
    ['164Mi', '164Mi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['100000', '100k'],
    ['1e3', '1e3'],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalQuantity(text)).toBe(canonical);
  });

  it('gives the millivalue used for the sidecar concurrency', () => {
    expect(milliValue('1100m')).toBe(1100);
    expect(milliValue('8500m')).toBe(8500);
    expect(milliValue('2')).toBe(2000);
  });

  it('rejects malformed quantities with Kubernetes text', () => {
    expect(() => parseQuantity('lots')).toThrow('quantities must match the regular expression');
    expect(() => parseQuantity('')).toThrow('quantities must match');
    expect(() => parseQuantity('1.2.3')).toThrow('quantities must match');
  });
});
