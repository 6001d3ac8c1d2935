// The executor on a real kernel, both backends: idempotent install, uninstall
// back to the exact earlier state (fresh or with unrelated rules), replacing
// an earlier configuration, rollback after a failing restore, retries only on
// the xtables lock, and the pre-flight error when no backend loads the rules.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { ApplyError } from '../system/errors.ts';
import { install } from '../exec/install.ts';
import type { ApplyLog } from '../exec/log.ts';
import { comparableState } from '../exec/restore-text.ts';
import { uninstall } from '../exec/uninstall.ts';
import { detectProfile } from '../profile/detect.ts';
import { ensureLoadable } from '../exec/preflight.ts';
import type { EnvironmentProfile, IptablesMode } from '../profile/profile.ts';
import { renderRules } from '../rules/render.ts';
import { connectPeer, createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { kumaDpPasswdLine, netnsDeps, type NetnsDeps } from '../../test-support/init/netns-deps.ts';

const skip = missingRootTools('ip', 'iptables-legacy-restore', 'iptables-nft-restore', 'ip6tables-legacy-save', 'ip6tables-nft-save', 'flock');

function recordingLog() {
  const lines: string[] = [];
  const log: ApplyLog = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
  return { log, lines };
}

/** A configuration touching every kind of rule (multiport, UID ranges, CIDRs, IPv6, raw and nat tables). */
function richConfig(mode: IptablesMode): TransparentProxyConfig {
  const c = defaultConfig();
  c.kumaDPUser = 'kuma-dp';
  c.iptablesMode = mode;
  c.redirect.dns.enabled = true;
  c.redirect.dns.captureAll = true;
  c.redirect.outbound.excludePortsForUIDs = ['53,3000-5000:106-108'];
  c.redirect.outbound.excludePortsForIPs = ['10.0.0.1,192.168.0.0/24,fe80::1', 'fd00::/8'];
  c.redirect.outbound.excludePorts = [1, 22, 333];
  c.redirect.inbound.excludePortsForIPs = ['192.168.0.1,172.32.16.8/16,fe80::/10'];
  c.retry.sleepBetweenRetries = 200;
  return c;
}

interface Env {
  ns: Netns;
  deps: NetnsDeps;
  profile: EnvironmentProfile;
  save: () => Promise<string>;
}

async function environment(
  mode: IptablesMode,
  config: TransparentProxyConfig,
  extraEnv: Record<string, string> = {},
  etcDir?: string,
): Promise<Env> {
  const ns = await createNetns('apply');
  await connectPeer(ns);
  const deps = netnsDeps(ns, { extraPasswd: kumaDpPasswdLine, etcDir, overrides: { env: extraEnv } });
  const profile = await detectProfile(config, deps);
  expect(profile.ipv4.executables?.mode).toBe(mode);
  expect(profile.ipv6Usable).toBe(true);
  // Chain counters move with background IPv6 traffic (MLD, router solicitations); they are not state.
  const noCounters = (s: string) => s.replace(/^(:\S+ \S+) \[\d+:\d+\]$/gm, '$1');
  const save = async () =>
    noCounters(`${await ns.iptablesSave(`iptables-${mode}-save`)}\n---\n${await ns.iptablesSave(`ip6tables-${mode}-save`)}`);
  return { ns, deps, profile, save };
}

const unrelatedRules = [
  ['-t', 'nat', '-N', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'raw', '-N', 'CUSTOM_CHAIN_RAW'],
  ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'nat', '-A', 'PREROUTING', '-p', 'udp', '-j', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '53', '-j', 'CUSTOM_CHAIN_RAW'],
  ['-t', 'mangle', '-A', 'PREROUTING', '-p', 'tcp', '-j', 'MARK', '--set-mark', '7'],
];

describe.skipIf(skip).each(['legacy', 'nft'] as const)('executor on %s', (mode) => {
  afterEach(destroyAll);

  it('a second install with the same configuration changes nothing and spawns no restore', async () => {
    const config = richConfig(mode);
    const { deps, profile, save } = await environment(mode, config);
    const rendered = renderRules(config, profile);
    const first = await install(config, profile, rendered, undefined, deps);
    expect(first.families.map((f) => f.action)).toEqual(['applied', 'applied']);
    expect(first.spawned).toBe(4); // iptables-save + iptables-restore per family
    const afterFirst = await save();
    expect(afterFirst).toContain(':KUMA_MESH_OUTBOUND');

    const second = await install(config, profile, rendered, undefined, deps);
    expect(second.families.map((f) => f.action)).toEqual(['unchanged', 'unchanged']);
    expect(second.spawned).toBe(2); // only the two iptables-save
    expect(await save()).toBe(afterFirst);
  });

  it('uninstall restores the exact pre-install state of a fresh namespace', async () => {
    const config = richConfig(mode);
    const { deps, profile, save } = await environment(mode, config);
    const before = await save();
    await install(config, profile, renderRules(config, profile), undefined, deps);
    expect(await save()).not.toBe(before);
    const result = await uninstall(config, profile, undefined, deps);
    expect(result.cleaned).toEqual(['ipv4', 'ipv6']);
    const after = await save();
    expect(after).not.toMatch(/KUMA_|kuma\/mesh/);
    expect(after).toBe(before);
  });

  it('uninstall keeps unrelated rules and restores the exact pre-install state', async () => {
    const config = richConfig(mode);
    const { ns, deps, profile, save } = await environment(mode, config);
    for (const bin of [`iptables-${mode}`, `ip6tables-${mode}`]) for (const rule of unrelatedRules) await ns.runOk(bin, rule);
    const before = await save();
    await install(config, profile, renderRules(config, profile), undefined, deps);
    const installed = await save();
    expect(installed).toContain('-A OUTPUT -p tcp -j CUSTOM_CHAIN_NAT');
    expect(installed).toContain('KUMA_MESH_INBOUND');
    await uninstall(config, profile, undefined, deps);
    expect(await save()).toBe(before);
  });

  it('a restarted install with --disable-comments is a no-op instead of the cleanup error', async () => {
    const config = { ...defaultConfig(), kumaDPUser: 'kuma-dp', iptablesMode: mode, comments: { disabled: true } };
    const { deps, profile, save } = await environment(mode, config);
    const rendered = renderRules(config, profile);
    expect(rendered.ipv4.restoreInput).not.toContain('--comment');
    await install(config, profile, rendered, undefined, deps);
    const installed = await save();
    const again = await install(config, profile, rendered, undefined, deps);
    expect(again.families.map((f) => f.action)).toEqual(['unchanged', 'unchanged']);
    expect(await save()).toBe(installed);
    // A different configuration still needs a cleanup, which Kuma refuses without comments.
    const other = { ...config, redirect: { ...config.redirect, outbound: { ...config.redirect.outbound, excludePorts: [22] } } };
    await expect(install(other, profile, renderRules(other, profile), undefined, deps)).rejects.toThrow(/expected comments are missing/);
  });

  it("uninstall puts Kuma's resolv.conf backup back", async () => {
    const etc = mkdtempSync(join(tmpdir(), 'kuma-etc-'));
    try {
      writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\n', { mode: 0o644 });
      writeFileSync(join(etc, 'resolv.conf.kuma-backup'), 'nameserver 10.96.0.10\n');
      const config = richConfig(mode);
      const { deps, profile } = await environment(mode, config, {}, etc);
      await install(config, profile, renderRules(config, profile), undefined, deps);
      const { log, lines } = recordingLog();
      await uninstall(config, profile, log, deps);
      expect(readFileSync(join(etc, 'resolv.conf'), 'utf8')).toBe('nameserver 10.96.0.10\n');
      // As Go's os.WriteFile: 0600 applies only to a file it creates; an existing file keeps its mode.
      expect(statSync(join(etc, 'resolv.conf')).mode & 0o777).toBe(0o644);
      expect(lines).toContain('info nameserver 10.96.0.10');
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });

  it('installing a changed configuration replaces the earlier rules in one restore per family', async () => {
    const first = richConfig(mode);
    const second = richConfig(mode);
    second.redirect.outbound.excludePorts = [4444];
    second.redirect.dns.enabled = false;
    second.redirect.dns.captureAll = false;
    const a = await environment(mode, first);
    await install(first, a.profile, renderRules(first, a.profile), undefined, a.deps);
    const replaced = await install(second, a.profile, renderRules(second, a.profile), undefined, a.deps);
    expect(replaced.families.map((f) => f.action)).toEqual(['applied', 'applied']);
    expect(replaced.spawned).toBe(4);

    const fresh = await environment(mode, second);
    await install(second, fresh.profile, renderRules(second, fresh.profile), undefined, fresh.deps);
    // nft keeps the now empty raw table (a --noflush restore cannot delete tables); it has no effect on traffic.
    expect(comparableState(await a.save())).toBe(comparableState(await fresh.save()));
    expect(await a.save()).not.toContain('CT --zone');
  });

  // IPv4 is restored before IPv6: a failing IPv6 restore finds IPv4 changed already, and both are put back.
  it.each(['ipv4', 'ipv6'] as const)('a failing %s restore leaves the previous state of both families intact (rolled back, not retried)', async (brokenFamily) => {
    const config = richConfig(mode);
    const { deps, profile, save } = await environment(mode, config);
    await install(config, profile, renderRules(config, profile), undefined, deps);
    const before = await save();

    const changed = richConfig(mode);
    changed.redirect.outbound.excludePorts = [9999];
    const rendered = renderRules(changed, profile);
    // raw (valid) is committed before nat fails on legacy: the rollback must undo it too.
    const breakInput = (r: { restoreInput: string }) => ({ restoreInput: r.restoreInput.replace(/COMMIT\n$/, '-A KUMA_MESH_OUTBOUND -j NO_SUCH_TARGET\nCOMMIT\n') });
    const broken = { ...rendered, [brokenFamily]: breakInput(rendered[brokenFamily]!) };
    const { log, lines } = recordingLog();
    const failure = await install(changed, profile, broken, log, deps).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplyError);
    expect((failure as ApplyError).code).toBe('RESTORE_FAILED');
    expect((failure as ApplyError).message).toMatch(new RegExp(`^unable to restore ${brokenFamily === 'ipv4' ? 'iptables' : 'ip6tables'} rules: .*NO_SUCH_TARGET.*; (the previous rules were restored|nothing was changed)\\.`));
    expect((failure as ApplyError).message).not.toContain('\n');
    expect(lines.filter((l) => l.includes('restoring failed'))).toHaveLength(1);
    expect(await save()).toBe(before);
  });

  it('a restore beaten by another writer rolls back nothing of the winner and says so (issue 9.2)', async () => {
    const config = richConfig(mode);
    const env = await environment(mode, config);
    const winnerConfig = richConfig(mode);
    winnerConfig.redirect.outbound.excludePorts = [4444];
    let raced = false;
    // The other install lands between this install's save and its restore (no netns lock at this level).
    const deps: NetnsDeps = {
      ...env.deps,
      run: async (cmd, args, o) => {
        if (!raced && args.includes('--noflush')) {
          raced = true;
          await install(winnerConfig, env.profile, renderRules(winnerConfig, env.profile), undefined, env.deps);
        }
        return env.deps.run(cmd, args, o);
      },
    };
    const { log, lines } = recordingLog();
    const failure = await install(config, env.profile, renderRules(config, env.profile), log, deps).catch((e: unknown) => e);
    const winnerState = await env.save();
    expect(failure).toBeInstanceOf(ApplyError);
    expect((failure as ApplyError).message).toMatch(/nothing was changed\. Next step: another process changed the same rules at the same time/);
    expect((failure as ApplyError).message).not.toMatch(/--iptables-mode/);
    // The winner's nat rules survive: its excluded port is still there.
    expect(winnerState).toMatch(/--dports? 4444|4444/);
    expect(lines.some((l) => /table nat was changed by another process/.test(l))).toBe(true);
  });

  it('the pre-flight names the backends tried, the kernel and the missing match', async () => {
    const config = richConfig(mode);
    const { deps, profile } = await environment(mode, config);
    const unloadable = (p: EnvironmentProfile) => {
      const r = renderRules(config, p);
      return { ...r, ipv4: { restoreInput: r.ipv4.restoreInput.replace(/COMMIT\n$/, '-A OUTPUT -m conntrackx --ctstate NEW -j RETURN\nCOMMIT\n') } };
    };
    const error = await ensureLoadable({ ...config, iptablesMode: 'auto' }, profile, unloadable, undefined, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    const message = (error as ApplyError).message;
    expect(message).toContain(await deps.kernelRelease());
    const other = mode === 'nft' ? 'legacy' : 'nft';
    expect(message).toContain(`tried ${mode} (iptables): missing match 'conntrackx'; ${other} (iptables): missing match 'conntrackx'`);
    expect(message).not.toContain('\n');

    const loadable = await ensureLoadable(config, profile, (p) => renderRules(config, p), undefined, deps);
    expect(loadable.profile).toBe(profile);
  });
});

describe.skipIf(skip)('xtables lock (legacy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-lock-'));
  afterAll(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a lock held past --wait fails with "nothing was changed", not a failed rollback (issue 9.9)', async () => {
    const lockfile = join(dir, 'xtables-held.lock');
    const config = { ...richConfig('legacy'), wait: 1, retry: { maxRetries: 0, sleepBetweenRetries: 0 } };
    const { deps, profile, save } = await environment('legacy', config, { XTABLES_LOCKFILE: lockfile });
    const before = await save();
    const holder = spawn('flock', [lockfile, 'sleep', '30']);
    await new Promise((r) => setTimeout(r, 200)); // let flock take the lock
    const failure = await install(config, profile, renderRules(config, profile), undefined, deps).catch((e: unknown) => e);
    holder.kill();
    expect(failure).toBeInstanceOf(ApplyError);
    expect((failure as ApplyError).code).toBe('RESTORE_FAILED');
    expect((failure as ApplyError).message).toMatch(/Can't lock .*; nothing was changed\. Next step: another process kept the xtables lock/);
    expect(await save()).toBe(before);
  });

  it('--wait 0 passes no flag, and iptables-legacy-restore 1.8.9 then waits for the lock without limit', async () => {
    const lockfile = join(dir, 'xtables-forever.lock');
    const config = { ...richConfig('legacy'), wait: 0, retry: { maxRetries: 0, sleepBetweenRetries: 0 } };
    const { deps, profile, save } = await environment('legacy', config, { XTABLES_LOCKFILE: lockfile });
    const holder = spawn('flock', [lockfile, 'sleep', '1.5']);
    await new Promise((r) => setTimeout(r, 200));
    const { log, lines } = recordingLog();
    const result = await install(config, profile, renderRules(config, profile), log, deps);
    holder.kill();
    // No try failed: the restore waited until the holder let go.
    expect(lines.filter((l) => l.includes('restoring failed'))).toEqual([]);
    expect(result.families.map((f) => f.action)).toEqual(['applied', 'applied']);
    expect(await save()).toContain('KUMA_MESH_OUTBOUND');
  });

  it('a held lock is retried per config.retry until it is free', async () => {
    const lockfile = join(dir, 'xtables.lock');
    // --wait=1 gives up after 1s, then a retry succeeds.
    const config = { ...richConfig('legacy'), wait: 1, retry: { maxRetries: 4, sleepBetweenRetries: 200 } };
    const { deps, profile, save } = await environment('legacy', config, { XTABLES_LOCKFILE: lockfile });
    const holder = spawn('flock', [lockfile, 'sleep', '1.6']);
    await new Promise((r) => setTimeout(r, 200)); // let flock take the lock
    const { log, lines } = recordingLog();
    const result = await install(config, profile, renderRules(config, profile), log, deps);
    holder.kill();
    expect(lines.some((l) => /restoring failed: .*xtables lock/.test(l))).toBe(true);
    expect(result.families.map((f) => f.action)).toEqual(['applied', 'applied']);
    expect(await save()).toContain('KUMA_MESH_OUTBOUND');
  });
});
