import { describe, expect, it } from 'vitest';
import { canonicalQuantity, milliValue, parseQuantity } from './index.ts';

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
