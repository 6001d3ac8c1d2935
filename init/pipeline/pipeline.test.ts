// The install pipeline's one branch (modules assumed, the restore proves them;
// Kuma's probes only when it does not), with recorded iptables 1.8.9 answers
// (Debian 12): which commands each path spawns, when the assumption is not
// made, and what happens when its restore is rejected.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { detectProfile } from '../profile/detect.ts';
import type { IptablesMode } from '../profile/profile.ts';
import { renderRules } from '../rules/render.ts';
import { conntrackMissing, debianSystem, type BackendState } from '../../test-support/init/recorded-system.ts';
import { ApplyError } from '../system/errors.ts';
import type { ApplyLog } from '../exec/log.ts';
import { detectAndInstall } from './pipeline.ts';

const resolvConf = { '/etc/resolv.conf': 'nameserver 10.96.0.10\n' };

function configFor(mode: IptablesMode | 'auto', change: (c: TransparentProxyConfig) => void = () => undefined): TransparentProxyConfig {
  const c = defaultConfig();
  c.iptablesMode = mode;
  change(c);
  return c;
}

/**
 * Debian 12 answers, plus restores that apply: a backend in `rejects` fails any
 * restore whose rules use the owner match, as a kernel without xt_owner would.
 */
function system(state: { nft?: BackendState; legacy?: BackendState; ip6?: string }, rejects: IptablesMode[] = []) {
  const sys = debianSystem(state, resolvConf);
  const recorded = sys.run;
  const restores: string[] = [];
  sys.run = async (cmd, args, opts) => {
    const r = await recorded(cmd, args, opts);
    if (!cmd.endsWith('-restore') || args.includes('--test')) return r;
    restores.push(opts?.input ?? '');
    const rejected = rejects.some((m) => cmd.includes(`-${m}-`)) && opts?.input?.includes('-m owner');
    return rejected ? { code: 2, stdout: '', stderr: conntrackMissing.replace(/conntrack/g, 'owner') } : { code: 0, stdout: '', stderr: '' };
  };
  return { sys, restores };
}

function run(config: TransparentProxyConfig, sys: ReturnType<typeof system>['sys']) {
  const warnings: string[] = [];
  const log: ApplyLog = { info: () => undefined, warn: (m) => warnings.push(m) };
  return { warnings, result: detectAndInstall(config, sys, { log, renderWarning: () => undefined }) };
}

const probes = (calls: string[]) => calls.filter((c) => / --version$| -m \w+ -h$| --test$/.test(c));

describe('install pipeline: modules assumed, Kuma\'s probes only when the restore refuses', () => {
  it('forced nft on the standard binaries: no probe at all, the detection saves are the snapshots', async () => {
    const { sys, restores } = system({});
    const { result } = run(configFor('nft'), sys);
    expect((await result).path).toBe('fast');
    expect(probes(sys.calls)).toEqual([]);
    expect(sys.calls.filter((c) => c.includes('-save'))).toEqual(['/usr/sbin/iptables-nft-save', '/usr/sbin/ip6tables-nft-save']);
    expect(restores).toHaveLength(2);
  });

  it('auto mode without any legacy table: Kuma\'s choice (nft) with no legacy process, the same processes as forced nft', async () => {
    const auto = system({});
    const forced = system({});
    const done = await run(configFor('auto'), auto.sys).result;
    await run(configFor('nft'), forced.sys).result;
    expect(done.path).toBe('fast');
    expect(done.installed?.families.map((f) => f.backend)).toEqual(['nft', 'nft']);
    expect(auto.sys.calls.filter((c) => c.includes('legacy'))).toEqual([]);
    expect(auto.sys.calls).toEqual(forced.sys.calls);
    expect(auto.restores).toEqual(forced.restores);
  });

  it('auto mode with legacy tables keeps Kuma\'s choice (legacy has rules) from one plain save per backend', async () => {
    const { sys } = system({ legacy: { existing: true } });
    const { result } = run(configFor('auto'), sys);
    const done = await result;
    expect(done.path).toBe('fast');
    expect(done.installed?.families.map((f) => f.backend)).toEqual(['legacy', 'legacy']);
    // A plain save creates no table (Kuma's `-t <table>` probes would).
    expect(sys.calls.filter((c) => c.startsWith('/usr/sbin/iptables-legacy-save'))).toEqual(['/usr/sbin/iptables-legacy-save']);
    expect(probes(sys.calls)).toEqual([]);
  });

  it('the assumed profile renders what Kuma\'s probed profile renders (DOCKER_OUTPUT changes them)', async () => {
    const config = configFor('nft', (c) => {
      c.redirect.dns.enabled = true;
      c.redirect.dns.captureAll = true;
    });
    const rendered: string[] = [];
    for (const docker of [false, true]) {
      const done = await run(config, system({ nft: { docker } }).sys).result;
      const probed = await detectProfile(config, system({ nft: { docker } }).sys);
      expect(probed.ipv4.dockerOutput).toBe(docker);
      expect(done.rendered).toEqual(renderRules(config, probed));
      rendered.push(done.rendered.ipv4.restoreInput);
    }
    expect(rendered[1]).not.toBe(rendered[0]);
  });

  it('a dry run probes like Kuma (what it prints must not rest on assumptions) and installs nothing', async () => {
    const { sys, restores } = system({ nft: { missingModules: ['comment'] } });
    const done = await run(configFor('nft', (c) => (c.dryRun = true)), sys).result;
    expect(done.path).toBe('dry-run');
    expect(done.installed).toBeUndefined();
    expect(sys.calls).toContain('/usr/sbin/iptables-nft -m comment -h');
    expect(done.rendered.ipv4.restoreInput).not.toContain('-m comment');
    expect(restores).toEqual([]);
  });

  it('explicit executables are probed, then pre-flighted (slow path)', async () => {
    const { sys } = system({});
    const explicit = configFor('auto', (c) => {
      c.iptablesExecutables = {
        ...c.iptablesExecutables,
        iptables: '/usr/sbin/iptables-nft',
        'iptables-save': '/usr/sbin/iptables-nft-save',
        'iptables-restore': '/usr/sbin/iptables-nft-restore',
      };
    });
    const done = await run(explicit, sys).result;
    expect(done.path).toBe('slow');
    expect(sys.calls).toContain('/usr/sbin/iptables-nft-restore --test');
  });

  it('a restore rejected for a missing module: rolled back, probed, rendered without what is missing, installed', async () => {
    // The owner match exists for the probe (`-m owner -h`) but the fast path's rules are refused once:
    // the slow path's pre-flight then fails too and falls back to legacy, which loads them.
    const { sys, restores } = system({ nft: { rejectsRules: true } }, ['nft']);
    const { result, warnings } = run(configFor('auto'), sys);
    const done = await result;
    expect(done.path).toBe('slow');
    expect(warnings).toContain("iptables-nft cannot load the rules (missing match 'owner'); probing the kernel's modules and tables as Kuma does and trying again");
    expect(done.installed?.families.map((f) => f.backend)).toEqual(['legacy', 'legacy']);
    // fast attempt (rejected), its rollback (flush restore of the snapshot), then the legacy install of both families
    expect(restores.filter((r) => r.includes('-m owner'))).toHaveLength(3);
  });

  it('nothing loads: the pre-flight error names the backends and what is missing', async () => {
    const { sys } = system({ nft: { rejectsRules: true }, legacy: { rejectsRules: true } }, ['nft']);
    const error = await run(configFor('auto'), sys).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).code).toBe('BACKEND_CANNOT_LOAD_RULES');
    expect((error as ApplyError).message).toContain("tried nft (iptables): missing match 'conntrack'; legacy (iptables): missing match 'conntrack'");
  });

  it('`ip -6 addr add ::6/128 dev lo` fails: IPv6 is left out, as Kuma\'s gate does, and the warning comes before the install', async () => {
    const config = configFor('nft', (c) => (c.verbose = true));
    for (const ip6 of [undefined, 'RTNETLINK answers: Permission denied']) {
      const { sys, restores } = system({ ip6 });
      const lines: string[] = [];
      const log: ApplyLog = { info: (m, f) => lines.push(`${f ?? ''} ${m}`), warn: (m, f) => lines.push(`${f ?? ''} [WARNING] ${m}`) };
      const done = await detectAndInstall(config, sys, { log, renderWarning: () => undefined });

      const probed = await detectProfile(config, system({ ip6 }).sys);
      expect(done.rendered).toEqual(renderRules(config, probed));
      expect(done.installed?.families.map((f) => f.family)).toEqual(ip6 ? ['ipv4'] : ['ipv4', 'ipv6']);
      expect(restores).toHaveLength(ip6 ? 1 : 2);
      expect(restores.some((r) => r.includes('::6/128'))).toBe(!ip6);
      const warned = lines.findIndex((l) => l.includes('[WARNING] failed to configure IPv6 outbound address; IPv6 rules will be skipped'));
      const applying = lines.findIndex((l) => l.includes('applying rules with'));
      expect(warned === -1).toBe(!ip6);
      if (ip6) expect(warned).toBeLessThan(applying);
      expect(lines.at(-1)).toContain('transparent proxy setup completed successfully');
    }
  });
});
