import { describe, expect, it } from 'vitest';
import { serverSupportsNativeSidecars, sidecarContainersEnabled } from './settings.ts';

describe('native sidecar decision (Kuma 2.13: requested and server >= 1.29)', () => {
  it.each([
    ['1', '29', true],
    ['1', '30', true],
    ['2', '0', true],
    ['1', '28', false],
    // EKS-style minor: "1.29+.0" is not loose semver, so 2.13 keeps native sidecars off
    ['1', '29+', false],
    ['', '', false],
  ])('%s.%s → %s', (major, minor, expected) => {
    expect(serverSupportsNativeSidecars(major, minor)).toBe(expected);
  });

  it('on/off ignore the server; auto needs a new enough server', () => {
    expect(sidecarContainersEnabled('on')).toBe(true);
    expect(sidecarContainersEnabled('off', { major: '1', minor: '31' })).toBe(false);
    expect(sidecarContainersEnabled('auto', { major: '1', minor: '31' })).toBe(true);
    expect(sidecarContainersEnabled('auto', { major: '1', minor: '27' })).toBe(false);
    expect(sidecarContainersEnabled('auto')).toBe(false);
  });
});
