import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.ts';
import { ApplyError } from '../system/errors.ts';
import { conntrackMissing, debianSystem } from '../../test-support/init/recorded-system.ts';
import { detectProfile } from '../profile/detect.ts';
import { missingFeature } from './restore.ts';
import { ensureLoadable } from './preflight.ts';
import type { EnvironmentProfile } from '../profile/profile.ts';

/** Debian 12 where `<backend>-restore --test` of the rendered rules fails (missing conntrack) for `failing`. */
const system = (failing: Array<'nft' | 'legacy'>) =>
  debianSystem({ nft: { rejectsRules: failing.includes('nft') }, legacy: { rejectsRules: failing.includes('legacy') } });

const render = (p: EnvironmentProfile) => ({ ipv4: { restoreInput: `* nat\n# ${p.ipv4.executables?.mode}\nCOMMIT\n` }, ipv6: { restoreInput: '* nat\nCOMMIT\n' } });

describe('missingFeature', () => {
  it.each([
    [conntrackMissing, "match 'conntrack'"],
    ["iptables-restore v1.8.4 (legacy): Couldn't load target `CT':No such file or directory", "target 'CT'"],
    ['iptables-restore v1.8.4 (legacy): unknown option "--to-ports"', 'option "--to-ports"'],
    ['iptables-nft-restore: line 3 failed: RULE_APPEND failed (Operation not supported): rule in chain OUTPUT', 'kernel support (Operation not supported)'],
    ['iptables-restore: line 2 failed', undefined],
  ])('%s', (stderr, expected) => {
    expect(missingFeature(stderr)).toBe(expected);
  });
});

describe('ensureLoadable', () => {
  it('keeps the detected backend when its restore --test passes (one test per family)', async () => {
    const sys = system([]);
    const profile = await detectProfile(defaultConfig(), sys);
    sys.calls.length = 0;
    const r = await ensureLoadable(defaultConfig(), profile, render, undefined, sys);
    expect(r.profile).toBe(profile);
    expect(sys.calls).toEqual(['/usr/sbin/iptables-nft-restore --test', '/usr/sbin/ip6tables-nft-restore --test']);
  });

  it('falls back to legacy (both families) when nft cannot load the rules, and says so', async () => {
    const sys = system(['nft']);
    const profile = await detectProfile(defaultConfig(), sys);
    const warnings: string[] = [];
    const r = await ensureLoadable(defaultConfig(), profile, render, { info: () => undefined, warn: (m) => warnings.push(m) }, sys);
    expect(r.profile.ipv4.executables?.mode).toBe('legacy');
    expect(r.profile.ipv6.executables?.mode).toBe('legacy');
    expect(r.rendered.ipv4.restoreInput).toContain('# legacy');
    expect(warnings.join()).toContain("falling back to iptables-legacy");
    expect(sys.calls).toContain('/usr/sbin/iptables-legacy-restore --wait=5 --test');
  });

  it('names backends, kernel and the missing match when nothing loads', async () => {
    const sys = system(['nft', 'legacy']);
    const profile = await detectProfile(defaultConfig(), sys);
    const error = await ensureLoadable(defaultConfig(), profile, render, undefined, sys).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).code).toBe('BACKEND_CANNOT_LOAD_RULES');
    expect((error as ApplyError).message).toBe(
      "no iptables backend can load the transparent proxy rules on kernel 6.1.0-test: tried nft (iptables): missing match 'conntrack'; legacy (iptables): missing match 'conntrack'. Next step: make the kernel module for the match 'conntrack' available on the node (e.g. modprobe xt_<name>) or turn off the option that needs it",
    );
  });

  it('does not fall back when the backend was chosen explicitly', async () => {
    const config = { ...defaultConfig(), iptablesMode: 'nft' as const };
    const sys = system(['nft']);
    const profile = await detectProfile(config, sys);
    await expect(ensureLoadable(config, profile, render, undefined, sys)).rejects.toThrow(/tried nft \(iptables\): missing match 'conntrack'\. /);
    expect(sys.calls.some((c) => c.includes('legacy'))).toBe(false);
  });
});
