// install(): applies rendered transparent-proxy rules. Per family, one
// iptables-save (current state, also the rollback snapshot) and at most one
// `iptables-restore --noflush` whose input removes Kuma's earlier rules and
// adds the new ones in the same transaction per table. When the installed
// rules already equal the rendered ones nothing is restored (a restarted init
// container is a no-op). A failed restore puts every family back as it was.
// When detection assumed the modules (profile families `assumed`,
// docs/tproxy-apply.md §3) its save is the snapshot, and a restore that fails
// for a missing module or table ends in AssumptionRejected (after the rollback)
// so the pipeline can probe like Kuma and try again.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, countSpawns, systemDeps, type SystemDeps } from '../system/index.ts';
import { type EnvironmentProfile, type FamilyProfile, type IpFamily, type IptablesMode, tableNames } from '../profile/index.ts';
import { alreadyInstalled } from './idempotency.ts';
import { markersFor, removalCommands, tablesWithKumaContent, tablesWithKumaLines, type KumaMarkers } from './kuma-rules.ts';
import { silentLog, type ApplyLog } from './log.ts';
import { parseTables, type TableText } from './restore-text.ts';
import { failureReason, isTransientFailure, missingFeature, runRestore } from './restore.ts';
import { rollBack, type Snapshot } from './rollback.ts';

/** What install needs from the renderer (rules/render.ts RenderedRules fits): one complete iptables-restore input per family, IPv6 absent when not rendered. */
export interface RestoreInputs {
  ipv4: { restoreInput: string };
  ipv6?: { restoreInput: string };
}

export interface InstallResult {
  /** `nftables`: our `inet kuma` table (exec/nftables.ts), both families in one transaction. */
  families: Array<{ family: IpFamily; backend: IptablesMode | 'nftables'; action: 'applied' | 'unchanged' }>;
  /** Processes spawned by this install (iptables-save, iptables-restore), for the benchmark. */
  spawned: number;
}

/** The fast path's assumption (modules and tables present) proved wrong; every family was put back. */
export class AssumptionRejected extends Error {
  constructor(
    readonly family: IpFamily,
    readonly mode: IptablesMode,
    readonly missing: string,
  ) {
    super(`${familyCommand[family]}-${mode} cannot load the rules (missing ${missing})`);
    this.name = 'AssumptionRejected';
  }
}

export const familyCommand: Record<IpFamily, string> = { ipv4: 'iptables', ipv6: 'ip6tables' };

/** The families to act on: IPv4 always, IPv6 when it was rendered and has executables. */
export function activeFamilies(profile: EnvironmentProfile, withIPv6: boolean): Array<{ family: IpFamily; profile: FamilyProfile }> {
  const list: Array<{ family: IpFamily; profile: FamilyProfile }> = [{ family: 'ipv4', profile: profile.ipv4 }];
  if (withIPv6 && profile.ipv6Usable && profile.ipv6.executables) list.push({ family: 'ipv6', profile: profile.ipv6 });
  return list;
}

export function requireExecutables(fp: FamilyProfile, family: IpFamily) {
  if (fp.executables) return fp.executables;
  throw new ApplyError('NO_EXECUTABLES', `no usable ${familyCommand[family]} executables were detected. Install iptables in the init image`);
}

/** Reads the current tables of a family with iptables-save. */
export async function saveTables(deps: SystemDeps, save: string, family: IpFamily): Promise<string> {
  const r = await deps.run(save, [], { env: deps.env });
  if (r.code !== 0) {
    throw new ApplyError(
      'IPTABLES_SAVE_FAILED',
      `${save} failed: ${failureReason(r.stderr)}. kuma-init needs the NET_ADMIN and NET_RAW capabilities (${family})`,
    );
  }
  return r.stdout;
}

/**
 * One restore input: per table, remove Kuma's current rules, then the rendered lines; tables left with
 * only old Kuma rules are cleaned too. `createFirst` tables come first, in that order, as empty sections
 * (legacy creates a table at its first use, which fixes iptables-legacy-save's order).
 * Both backends commit each table on its own (a kill between two COMMITs keeps the earlier ones), so nat,
 * the table whose PREROUTING/OUTPUT jumps divert traffic into Kuma's chains, is committed after the tables
 * its new rules rely on (raw, mangle: DNS conntrack zones) and before the tables that only lose old rules:
 * a killed install leaves, per family, either no redirection or all of it with what it needs.
 */
export function applyInput(kumaTables: readonly TableText[], desired: readonly TableText[], m: KumaMarkers, createFirst: readonly string[] = []): string {
  const section = (name: string, lines: string[]): [string, string[]] => [name, lines];
  const rendered = desired.map((t) => {
    const old = kumaTables.find((k) => k.name === t.name);
    return section(t.name, [...(old ? removalCommands(old, m) : []), ...t.chainLines, ...t.lines]);
  });
  const removalsOnly = kumaTables.filter((k) => !desired.some((t) => t.name === k.name)).map((k) => section(k.name, removalCommands(k, m)));
  const ordered = [
    ...createFirst.map((name) => section(name, [])),
    ...rendered.filter(([name]) => name !== 'nat'),
    ...rendered.filter(([name]) => name === 'nat'),
    ...removalsOnly,
  ];
  return ordered.flatMap(([name, lines]) => [`*${name}`, ...lines, 'COMMIT']).join('\n') + '\n';
}

/**
 * Legacy tables Kuma's probes would have created (nat, raw, mangle, in that order) but the fast path's
 * single save did not: the install creates them, so iptables-legacy-save lists the same tables in the same order.
 */
function tablesKumaWouldCreate(fp: FamilyProfile, current: readonly TableText[]): string[] {
  if (!fp.assumed || fp.executables?.mode !== 'legacy') return [];
  return tableNames.filter((t) => !current.some((c) => c.name === t));
}

/** What to do after a failed restore; `raced`: another process changed the tables meanwhile (legacy only says "line N failed"). */
function failureHint(stderr: string, family: IpFamily, mode: IptablesMode, raced: boolean): string {
  if (isTransientFailure(stderr)) return 'another process kept the xtables lock; raise --wait/--max-retries or retry';
  if (raced || /Chain already exists|File exists/.test(stderr)) return 'another process changed the same rules at the same time; run kuma-init again';
  // Only a missing match, target or kernel feature is a reason to try the other backend.
  const missing = missingFeature(stderr);
  if (!missing) return 'check the rules with --dry-run and the options that produced them';
  const other = mode === 'nft' ? 'legacy' : 'nft';
  return `the kernel or the ${familyCommand[family]}-${mode} build cannot load these rules (missing ${missing}); try --iptables-mode ${other} or check the rules with --dry-run`;
}

/** A table after a failed restore holds this install's rules (and nobody else's): rendered ones as rendered, cleaned ones without Kuma lines. */
function ownsTable(table: TableText, desired: readonly TableText[], m: KumaMarkers): boolean {
  const rendered = desired.find((t) => t.name === table.name);
  return rendered ? alreadyInstalled([table], [rendered], m) : !tablesWithKumaLines([table], m).length;
}

/**
 * Installs `rendered` into the tables described by `profile`.
 * `log` receives Kuma-worded progress lines; `deps` is the system (tests inject a network namespace).
 * Throws ApplyError (one line, with what to do) after restoring the previous state.
 */
export async function install(
  config: TransparentProxyConfig,
  profile: EnvironmentProfile,
  rendered: RestoreInputs,
  log: ApplyLog = silentLog,
  deps: SystemDeps = systemDeps(),
): Promise<InstallResult> {
  const counter = countSpawns(deps.run);
  const d: SystemDeps = { ...deps, run: counter.run };
  const m = markersFor(config.redirect.namePrefix);
  const result: InstallResult = { families: [], spawned: 0 };
  const done: Snapshot[] = [];

  const families = activeFamilies(profile, rendered.ipv6 !== undefined).map(({ family, profile: fp }) => ({
    family,
    fp,
    exe: requireExecutables(fp, family),
  }));
  // Reading is independent per family, so both saves run side by side (unless detection saved already);
  // changes stay one family at a time: iptables-nft and ip6tables-nft restores share the namespace's
  // nf_tables generation, and run side by side one of them fails (init/test/faults.netns.test.ts found it).
  const saves = await Promise.all(
    families.map(({ family, fp, exe }) => (fp.snapshot !== undefined ? Promise.resolve(fp.snapshot) : saveTables(d, exe.save, family))),
  );
  for (const [i, { family, fp, exe }] of families.entries()) {
    const input = family === 'ipv4' ? rendered.ipv4.restoreInput : rendered.ipv6!.restoreInput;
    const saveText = saves[i]!;
    const current = parseTables(saveText);
    const desired = parseTables(input);
    // Before the cleanup check: matching rules are fine even without comments (--disable-comments).
    if (alreadyInstalled(current, desired, m)) {
      log.info('transparent proxy rules are already installed and up to date; nothing to change', family);
      result.families.push({ family, backend: exe.mode, action: 'unchanged' });
      continue;
    }
    const kumaTables = tablesWithKumaContent(current, m, familyCommand[family]);
    if (kumaTables.length) log.info('replacing existing transparent proxy rules (chains starting with "KUMA_MESH" or comments starting with "kuma/mesh/transparent/proxy")', family);
    const created = tablesKumaWouldCreate(fp, current);
    const combined = applyInput(kumaTables, desired, m, created);
    log.info(`applying rules with ${exe.restore} --noflush:`, family);
    log.info(combined.trim(), family);
    const r = await runRestore(d, config, { exe, input: combined, mode: 'noflush', family }, log);
    const snapshot: Snapshot = {
      family,
      exe,
      saveText,
      touched: [...new Set([...created, ...[...desired, ...kumaTables].map((t) => t.name)])],
      owns: (table) => ownsTable(table, desired, m),
    };
    if (r.code !== 0) {
      const rolled = [];
      for (const s of [snapshot, ...done.reverse()]) rolled.push(await rollBack(d, config, s, log));
      const undone = rolled.some((x) => x.restored.length) ? 'the previous rules were restored' : 'nothing was changed';
      const raced = rolled.some((x) => x.foreign.length);
      const missing = fp.assumed && !isTransientFailure(r.stderr) ? missingFeature(r.stderr) : undefined;
      if (missing) throw new AssumptionRejected(family, exe.mode, missing);
      throw new ApplyError(
        'RESTORE_FAILED',
        `unable to restore ${familyCommand[family]} rules: ${exe.restore} failed: ${failureReason(r.stderr)}; ${undone}. Next step: ${failureHint(r.stderr, family, exe.mode, raced)}`,
      );
    }
    done.push(snapshot);
    result.families.push({ family, backend: exe.mode, action: 'applied' });
  }
  log.info('transparent proxy setup completed successfully. You can now run kuma-dp with the transparent-proxy feature enabled');
  result.spawned = counter.count();
  return result;
}
