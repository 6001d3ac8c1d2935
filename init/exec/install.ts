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
import { markersFor, removalCommands, tablesWithKumaContent, type KumaMarkers } from './kuma-rules.ts';
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
  families: Array<{ family: IpFamily; backend: IptablesMode; action: 'applied' | 'unchanged' }>;
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
 * only old Kuma rules are cleaned too. `createFirst` tables come first, in that order, empty when nothing
 * else goes into them (legacy creates a table at its first use, which fixes iptables-legacy-save's order).
 */
export function applyInput(kumaTables: readonly TableText[], desired: readonly TableText[], m: KumaMarkers, createFirst: readonly string[] = []): string {
  const sections = new Map<string, string[]>(createFirst.map((name) => [name, []]));
  for (const t of desired) {
    const old = kumaTables.find((k) => k.name === t.name);
    sections.set(t.name, [...(old ? removalCommands(old, m) : []), ...t.chainLines, ...t.lines]);
  }
  for (const k of kumaTables.filter((k) => !desired.some((t) => t.name === k.name))) sections.set(k.name, removalCommands(k, m));
  return [...sections].flatMap(([name, lines]) => [`*${name}`, ...lines, 'COMMIT']).join('\n') + '\n';
}

/**
 * Legacy tables Kuma's probes would have created (nat, raw, mangle, in that order) but the fast path's
 * single save did not: the install creates them, so iptables-legacy-save lists the same tables in the same order.
 */
function tablesKumaWouldCreate(fp: FamilyProfile, current: readonly TableText[]): string[] {
  if (!fp.assumed || fp.executables?.mode !== 'legacy') return [];
  return tableNames.filter((t) => !current.some((c) => c.name === t));
}

function failureHint(stderr: string, family: IpFamily, mode: IptablesMode): string {
  if (isTransientFailure(stderr)) return 'another process kept the xtables lock; raise --wait/--max-retries or retry';
  const other = mode === 'nft' ? 'legacy' : 'nft';
  return `the kernel or the ${familyCommand[family]}-${mode} build cannot load these rules; try --iptables-mode ${other} or check the rules with --dry-run`;
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
  // changes stay one family at a time.
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
    const snapshot: Snapshot = { family, exe, saveText, touched: [...new Set([...created, ...[...desired, ...kumaTables].map((t) => t.name)])] };
    if (r.code !== 0) {
      for (const s of [snapshot, ...done.reverse()]) await rollBack(d, config, s, log);
      const missing = fp.assumed && !isTransientFailure(r.stderr) ? missingFeature(r.stderr) : undefined;
      if (missing) throw new AssumptionRejected(family, exe.mode, missing);
      throw new ApplyError(
        'RESTORE_FAILED',
        `unable to restore ${familyCommand[family]} rules: ${exe.restore} failed: ${failureReason(r.stderr)}; the previous rules were restored. Next step: ${failureHint(r.stderr, family, exe.mode)}`,
      );
    }
    done.push(snapshot);
    result.families.push({ family, backend: exe.mode, action: 'applied' });
  }
  log.info('transparent proxy setup completed successfully. You can now run kuma-dp with the transparent-proxy feature enabled');
  result.spawned = counter.count();
  return result;
}
