import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { ApplyError } from '../system/errors.ts';
import { debianSystem, recordedSystem } from '../../test-support/init/recorded-system.ts';
import { detectProfile } from './detect.ts';

const system = debianSystem;

const config = (change: (c: TransparentProxyConfig) => void = () => undefined) => {
  const c = defaultConfig();
  change(c);
  return c;
};

describe('detectProfile with recorded outputs (Debian 12, iptables 1.8.9)', () => {
  it('probes nft then legacy in Kuma order and chooses nft on a clean system; IPv6 follows', async () => {
    const sys = system({});
    const p = await detectProfile(config(), sys);
    expect(p.loopbackName).toBe('lo');
    expect(p.users).toContainEqual({ name: 'kuma-dp', uid: 5678 });
    expect(p.ipv4.executables).toEqual({
      mode: 'nft',
      iptables: '/usr/sbin/iptables-nft',
      save: '/usr/sbin/iptables-nft-save',
      restore: '/usr/sbin/iptables-nft-restore',
      version: '1.8.9',
    });
    expect(p.ipv6Usable).toBe(true);
    expect(p.ipv6.executables?.restore).toBe('/usr/sbin/ip6tables-nft-restore');
    const legacyProbes = sys.calls.filter((c) => c.startsWith('/usr/sbin/iptables-legacy'));
    expect(legacyProbes).toEqual([
      '/usr/sbin/iptables-legacy --version', // -save and -restore are the same multi-call binary
      '/usr/sbin/iptables-legacy-restore --test', // all six modules at once (reads nat, Kuma's first table)
      // nat, raw, mangle: the order of first use decides iptables-legacy-save's table order (e2e goldens)
      '/usr/sbin/iptables-legacy-save -t nat',
      '/usr/sbin/iptables-legacy-save -t raw',
      '/usr/sbin/iptables-legacy-save -t mangle',
    ]);
    // nft saves create no table: one save answers for nat, raw and mangle
    expect(sys.calls.filter((c) => c.startsWith('/usr/sbin/iptables-nft-save'))).toEqual(['/usr/sbin/iptables-nft-save']);
    expect(sys.calls.some((c) => c.startsWith('/usr/sbin/ip6tables-legacy'))).toBe(false);
    expect(p.warnings).toEqual([]);
  });

  it('chooses legacy when only legacy has existing rules', async () => {
    const p = await detectProfile(config(), system({ legacy: { existing: true } }));
    expect(p.ipv4.executables?.mode).toBe('legacy');
    expect(p.ipv4.existingRules).toBe(true);
    expect(p.ipv6.executables?.mode).toBe('legacy');
  });

  it('prefers nft with Kuma warning when both have rules, unless only one has DOCKER_OUTPUT', async () => {
    const both = await detectProfile(config(), system({ legacy: { existing: true }, nft: { existing: true } }));
    expect(both.ipv4.executables?.mode).toBe('nft');
    expect(both.warnings.map((w) => w.message)).toContain(
      'conflicting iptables modes detected; both iptables-nft and iptables-legacy have existing rules and/or custom chains. To avoid potential conflicts, iptables-legacy will be ignored, and iptables-nft will be used',
    );
    const docker = await detectProfile(config(), system({ legacy: { existing: true, docker: true }, nft: { existing: true } }));
    expect(docker.ipv4.executables?.mode).toBe('legacy');
    expect(docker.ipv4.dockerOutput).toBe(true);
  });

  it('skips a backend that misses the minimal requirements, and fails when none meets them', async () => {
    const sys = system({ nft: { missingModules: ['owner'] } });
    const p = await detectProfile(config(), sys);
    expect(p.ipv4.executables?.mode).toBe('legacy');
    // the one-shot probe failed, so each module was probed as Kuma does
    expect(sys.calls).toContain('/usr/sbin/iptables-nft -m owner -h');
    expect(p.ipv6.modules.owner).toBe(true);

    const none = system({ nft: { missingModules: ['owner'] }, legacy: { missingModules: ['tcp'] } });
    const error = await detectProfile(config(), none).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).code).toBe('NO_EXECUTABLES');
    expect((error as ApplyError).message).toContain('unmet minimal requirements: missing module: "owner"');
    expect((error as ApplyError).message).toContain('missing module: "tcp"');

    const dry = await detectProfile(config((c) => (c.dryRun = true)), none);
    expect(dry.ipv4.executables).toBeUndefined();
    expect(dry.ipv4.modules.comment).toBe(false);
    expect(dry.warnings[0]?.message).toMatch(/^\[dry-run\]: no valid iptables executables found/);
  });

  it('--iptables-mode legacy probes only legacy', async () => {
    const sys = system({});
    const p = await detectProfile(config((c) => (c.iptablesMode = 'legacy')), sys);
    expect(p.ipv4.executables?.mode).toBe('legacy');
    expect(sys.calls.some((c) => c.includes('-nft'))).toBe(false);
  });

  it('accepts ::6 already on lo (either iproute2 wording) and skips IPv6 when it cannot be added', async () => {
    for (const stderr of ['RTNETLINK answers: File exists', 'Error: ipv6: address already assigned.']) {
      expect((await detectProfile(config(), system({ ip6: stderr }))).ipv6Usable).toBe(true);
    }
    const denied = await detectProfile(config((c) => (c.verbose = true)), system({ ip6: 'RTNETLINK answers: Permission denied' }));
    expect(denied.ipv6Usable).toBe(false);
    expect(denied.warnings.map((w) => w.message).join()).toContain('IPv6 rules will be skipped');
    expect((await detectProfile(config((c) => (c.ipFamilyMode = 'ipv4')), system({}))).ipv6Usable).toBe(false);
  });

  it("IPv6's executables are looked for beside the ::6 address, but their warnings count only when the address was added", async () => {
    const withoutIp6tables = (ip6?: string) => {
      const sys = system({ ip6 });
      const run = sys.run;
      sys.run = (cmd, args, o) => (cmd.includes('ip6tables') ? Promise.resolve({ code: 1, stdout: '', stderr: 'ip6tables: broken' }) : run(cmd, args, o));
      return sys;
    };
    const missing = await detectProfile(config(), withoutIp6tables());
    expect(missing.ipv6Usable).toBe(false);
    expect(missing.warnings.map((w) => w.message).join()).toContain('failed to initialize IPv6 executables');
    const denied = await detectProfile(config(), withoutIp6tables('RTNETLINK answers: Permission denied'));
    expect(denied.ipv6Usable).toBe(false);
    expect(denied.warnings).toEqual([]);
  });

  it('warns, even without --verbose, when `ip` is missing on a pod with IPv6 addresses (issue 9.11)', async () => {
    const sys = system({});
    const run = sys.run;
    sys.run = (cmd, args, o) => (cmd === 'ip' ? Promise.resolve({ code: 127, stdout: '', stderr: 'spawn ip ENOENT' }) : run(cmd, args, o));
    const p = await detectProfile(config(), sys);
    expect(p.ipv6Usable).toBe(false);
    const warning = p.warnings.find((w) => w.family === 'ipv6');
    expect(warning?.message).toContain("the 'ip' command (iproute2) could not be run");
  });

  it('reads nameservers only when DNS is redirected without captureAll, and reports an unreadable file', async () => {
    const files = { '/etc/resolv.conf': 'nameserver 10.96.0.10\nnameserver fd00::a\n' };
    expect((await detectProfile(config(), system({}, files))).nameservers).toEqual([]);
    expect((await detectProfile(config((c) => (c.redirect.dns.enabled = true)), system({}, files))).nameservers).toEqual(['10.96.0.10', 'fd00::a']);
    const missing = config((c) => {
      c.redirect.dns.enabled = true;
      c.redirect.dns.resolvConfigPath = '/nope/resolv.conf';
    });
    await expect(detectProfile(missing, system({}))).rejects.toThrow(/unable to read file \/nope\/resolv.conf/);
  });

  it('warns about incomplete explicit executables and detects instead', async () => {
    const p = await detectProfile(config((c) => (c.iptablesExecutables.iptables = '/usr/sbin/iptables-legacy')), system({}));
    expect(p.ipv4.executables?.mode).toBe('nft');
    expect(p.warnings[0]?.message).toBe(
      "provided incomplete executables configuration: 'iptables', 'iptables-restore', and 'iptables-save' must all be specified together; provided paths (iptables: '/usr/sbin/iptables-legacy', iptables-restore: '', iptables-save: '') will be ignored and automatic executables detection will proceed",
    );
  });

  it('uses complete explicit executables and marks them (no --wait flags, as Kuma)', async () => {
    const p = await detectProfile(
      config((c) => {
        c.iptablesExecutables.iptables = '/usr/sbin/iptables-legacy';
        c.iptablesExecutables['iptables-save'] = '/usr/sbin/iptables-legacy-save';
        c.iptablesExecutables['iptables-restore'] = '/usr/sbin/iptables-legacy-restore';
      }),
      system({}),
    );
    expect(p.ipv4.executables).toMatchObject({ mode: 'legacy', fromConfig: true });
  });

  it('fails without a loopback interface', async () => {
    const sys = recordedSystem({ executables: [], respond: () => undefined, interfaces: [] });
    await expect(detectProfile(config(), sys)).rejects.toThrow(/no loopback interface found on the system/);
  });
});
