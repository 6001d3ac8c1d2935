// The CLI's install pipeline on a real kernel: the fast path (no module or
// table probes, the restore proves them) must leave exactly the tables Kuma's
// probing path leaves (goldens in auto mode, except the empty legacy tables
// Kuma's probes create; slow path side by side per forced backend), in at most
// 5 processes; and when its restore fails for a missing
// module the slow path probes, re-renders without it and installs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance, missingRootTools } from '../../test-support/environment.ts';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { detectProfile } from '../profile/detect.ts';
import { ensureLoadable } from '../exec/preflight.ts';
import type { IptablesMode } from '../profile/profile.ts';
import { renderRules } from '../rules/render.ts';
import { connectPeer, createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { kumaDpPasswdLine, netnsDeps } from '../../test-support/init/netns-deps.ts';
import { ApplyError } from '../system/errors.ts';
import { install } from '../exec/install.ts';
import type { ApplyLog } from '../exec/log.ts';
import { detectAndInstall } from './pipeline.ts';
import type { RunCommand } from '../system/run.ts';

const skip = missingRootTools('ip', 'iptables-legacy-save', 'iptables-nft-save', 'ip6tables-legacy-save', 'ip6tables-nft-save');

function configFor(mode: IptablesMode | 'auto'): TransparentProxyConfig {
  const c = defaultConfig();
  c.kumaDPUser = 'kuma-dp';
  c.iptablesMode = mode;
  return c;
}

async function dualStackNetns(): Promise<Netns> {
  const ns = await createNetns('pipeline');
  await connectPeer(ns);
  return ns;
}

function recordingLog() {
  const lines: string[] = [];
  const log: ApplyLog = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
  return { log, lines };
}

/** Kuma's CleanIptablesSaveOutput (as the e2e goldens are written). */
const cleanSave = (out: string) =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/-o ([^ ]+)/g, '-o ifPlaceholder')
    .replace(/^:([^ ]+) ([^ ]+) .*?$/gm, ':$1 $2');

const saves = ['iptables', 'iptables-nft', 'iptables-legacy', 'ip6tables', 'ip6tables-nft', 'ip6tables-legacy'];
async function allSaves(ns: Netns): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of saves) out[s] = cleanSave(await ns.runOk(`${s}-save`, []));
  return out;
}

/**
 * Simulates a kernel without the comment match (xt_comment), with iptables' own
 * error text: restores that use it fail (fast path, module probe, pre-flight)
 * and `iptables -m comment -h` fails; everything else runs for real in the namespace.
 */
function withoutComment(real: RunCommand): RunCommand {
  return (cmd, args, opts) => {
    const tool = cmd.split('/').pop()!;
    if (args.join(' ') === '-m comment -h' || (tool.endsWith('-restore') && opts?.input?.includes('-m comment'))) {
      const stderr = `${tool} v1.8.9: Couldn't load match \`comment':No such file or directory\n\nError occurred at line: 2\n`;
      return Promise.resolve({ code: 2, stdout: '', stderr });
    }
    return real(cmd, args, opts);
  };
}

describe.skipIf(skip)('install pipeline on a real kernel', () => {
  afterEach(destroyAll);

  it.skipIf(missingConformance('tproxy-e2e'))('auto mode takes the fast path and reproduces Kuma 2.13.10 debian-12 goldens, creating no legacy table', async () => {
    const ns = await dualStackNetns();
    const deps = netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
    const result = await detectAndInstall(configFor('auto'), deps, { log: recordingLog().log, renderWarning: () => undefined });
    expect(result.path).toBe('fast');
    // /proc lists no legacy table, so nft is Kuma's choice without a legacy process: nft save per family + ip + 2 restores
    expect(deps.spawns.count()).toBe(5);
    const actual = await allSaves(ns);
    const golden = (s: string) => readFileSync(join(conformanceDir(), 'tproxy-e2e', `debian-12.${s}.golden`), 'utf8');
    for (const s of ['iptables', 'iptables-nft', 'ip6tables', 'ip6tables-nft']) expect(actual[s], `${s}-save`).toBe(golden(s));
    // The one deliberate difference (docs/tproxy-apply.md §3): Kuma's `iptables-legacy-save -t <table>` probes leave
    // empty legacy tables behind even when nft wins, which is all its legacy golden holds; the fast path creates none.
    expect(golden('iptables-legacy').replace(/^\*\w+\n(:[A-Z]+ ACCEPT\n)*COMMIT\n/gm, '')).toBe('');
    expect(golden('iptables-legacy')).not.toBe('');
    expect(actual['iptables-legacy']).toBe('');
  });

  for (const mode of ['nft', 'legacy'] as const) {
    it(`${mode}: the fast path leaves the same tables as the probing path, in at most 5 processes, and a rerun spawns no restore`, async () => {
      const [fastNs, slowNs] = [await dualStackNetns(), await dualStackNetns()];
      const fastDeps = netnsDeps(fastNs, { extraPasswd: kumaDpPasswdLine });
      const fast = await detectAndInstall(configFor(mode), fastDeps, { log: recordingLog().log, renderWarning: () => undefined });
      expect(fast.path).toBe('fast');
      expect(fast.installed?.families.map((f) => `${f.family} ${f.backend} ${f.action}`)).toEqual([`ipv4 ${mode} applied`, `ipv6 ${mode} applied`]);
      // one save per family (legacy: none, /proc/net lists no table yet), ip -6 addr add, one restore per family
      expect(fastDeps.spawns.count()).toBe(mode === 'nft' ? 5 : 3);

      const slowDeps = netnsDeps(slowNs, { extraPasswd: kumaDpPasswdLine });
      const config = configFor(mode);
      const profile = await detectProfile(config, slowDeps);
      const checked = await ensureLoadable(config, profile, (p) => renderRules(config, p), undefined, slowDeps);
      await install(config, checked.profile, checked.rendered, undefined, slowDeps);
      expect(checked.rendered.ipv4.restoreInput).toBe(fast.rendered.ipv4.restoreInput);
      // Table order included: legacy creates nat, raw, mangle in Kuma's probe order on both paths.
      expect(await allSaves(fastNs)).toEqual(await allSaves(slowNs));

      fastDeps.spawns.reset();
      const again = await detectAndInstall(configFor(mode), fastDeps, { log: recordingLog().log, renderWarning: () => undefined });
      expect(again.installed?.families.map((f) => f.action)).toEqual(['unchanged', 'unchanged']);
      expect(fastDeps.spawns.count()).toBe(2); // ::6 is already on lo: only the two saves
    });

    it(`${mode}: a restore rejected for a missing match sends the install to the probing path, which renders without it`, async () => {
      const ns = await dualStackNetns();
      const base = netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
      const deps = { ...base, run: withoutComment(base.run) };
      const { log, lines } = recordingLog();
      const result = await detectAndInstall(configFor(mode), deps, { log, renderWarning: () => undefined });
      expect(result.path).toBe('slow');
      expect(lines).toContain(
        `warn iptables-${mode} cannot load the rules (missing match 'comment'); probing the kernel's modules and tables as Kuma does and trying again`,
      );
      // Kuma renders without comments when the module is missing.
      expect(result.rendered.ipv4.restoreInput).not.toContain('-m comment');
      expect(result.installed?.families.map((f) => `${f.family} ${f.backend} ${f.action}`)).toEqual([`ipv4 ${mode} applied`, `ipv6 ${mode} applied`]);
      const saved = `${await ns.runOk(`iptables-${mode}-save`, [])}${await ns.runOk(`ip6tables-${mode}-save`, [])}`;
      expect(saved).toContain('KUMA_MESH_OUTBOUND');
      expect(saved).not.toContain('comment');
    });
  }

  it('when no backend loads the rules, the slow path fails with the pre-flight error and leaves the tables as they were', async () => {
    const ns = await dualStackNetns();
    const base = netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
    // Unlike the module probe, the rules themselves are rejected: the probing path renders the same rules and cannot load them either.
    const rejecting: RunCommand = (cmd, args, opts) =>
      cmd.endsWith('-restore') && opts?.input?.includes('KUMA_MESH')
        ? Promise.resolve({ code: 2, stdout: '', stderr: "iptables-restore v1.8.9: Couldn't load target `CT':No such file or directory\n" })
        : base.run(cmd, args, opts);
    const before = await allSaves(ns);
    const error = await detectAndInstall(configFor('auto'), { ...base, run: rejecting }, { log: recordingLog().log, renderWarning: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).code).toBe('BACKEND_CANNOT_LOAD_RULES');
    expect((error as ApplyError).message).toMatch(/tried nft \(iptables\): missing target 'CT'; legacy \(iptables\): missing target 'CT'/);
    const after = await allSaves(ns);
    // The probes created legacy's empty tables (as Kuma's do); no rule was added anywhere.
    for (const s of saves) expect(after[s]!.replace(/^\*\w+\n(:.*\n)*COMMIT\n/gm, '')).toBe(before[s]!.replace(/^\*\w+\n(:.*\n)*COMMIT\n/gm, ''));
  });
});
