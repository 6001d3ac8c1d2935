// uninstall(): Kuma 2.13's `uninstall transparent-proxy` (tproxy spec §5.2,
// §5.5). Per family: iptables-save; nothing to do without Kuma rules; else the
// tables holding them are restored in flush mode without any Kuma line, after
// an `iptables-restore --test` of that input. A table left with nothing but
// accepting built-in chains is emptied, which on nft deletes it, so the
// tables look as they did before the install. Then Kuma's resolv.conf backup
// is put back when present.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, countSpawns, systemDeps, type SystemDeps } from '../system/index.ts';
import type { EnvironmentProfile } from '../profile/index.ts';
import { activeFamilies, familyCommand, requireExecutables, saveTables } from './install.ts';
import { markersFor, tablesWithKumaContent, withoutKuma } from './kuma-rules.ts';
import { silentLog, type ApplyLog } from './log.ts';
import { isEffectivelyEmpty, parseTables, tablesText } from './restore-text.ts';
import { failureReason, runRestore } from './restore.ts';
import { rollBack } from './rollback.ts';

export const resolvConfPath = '/etc/resolv.conf';
export const resolvConfBackupPath = '/etc/resolv.conf.kuma-backup';

export interface UninstallResult {
  /** Families whose tables held Kuma rules and were cleaned. */
  cleaned: Array<'ipv4' | 'ipv6'>;
  spawned: number;
}

/** Removes every Kuma rule and chain (both families when IPv6 is usable) and restores Kuma's resolv.conf backup. */
export async function uninstall(
  config: TransparentProxyConfig,
  profile: EnvironmentProfile,
  log: ApplyLog = silentLog,
  deps: SystemDeps = systemDeps(),
): Promise<UninstallResult> {
  const counter = countSpawns(deps.run);
  const d: SystemDeps = { ...deps, run: counter.run };
  const m = markersFor(config.redirect.namePrefix);
  const cleaned: UninstallResult['cleaned'] = [];

  for (const { family, profile: fp } of activeFamilies(profile, true)) {
    const exe = requireExecutables(fp, family);
    log.info(
      `starting cleanup of existing transparent proxy rules. Any rule found in chains with names starting with "${m.namePrefix}" or containing comments starting with "${m.commentPrefix}" will be deleted`,
      family,
    );
    const saveText = await saveTables(d, exe.save, family);
    const kumaTables = tablesWithKumaContent(parseTables(saveText), m, familyCommand[family]);
    if (!kumaTables.length) {
      log.info('no transparent proxy rules detected. No cleanup necessary', family);
      continue;
    }
    const input = tablesText(
      kumaTables.map((t) => withoutKuma(t, m)).map((t) => (isEffectivelyEmpty(t) ? { name: t.name, chainLines: [], lines: [] } : t)),
    );
    const test = await runRestore(d, { ...config, retry: { ...config.retry, maxRetries: 0 } }, { exe, input, mode: 'test', family }, log);
    if (test.code !== 0) {
      if (!/segmentation fault/i.test(test.stderr)) {
        throw new ApplyError(
          'RESTORE_FAILED',
          `failed to cleanup ${familyCommand[family]} rules: verification of new rules after cleanup failed: rules are invalid: ${failureReason(test.stderr)}. Remove the KUMA_MESH chains manually`,
        );
      }
      log.warn(`cannot confirm rules are valid because "${exe.restore} --test" is returning unexpected error: ${failureReason(test.stderr)}`, family);
    }
    if (config.dryRun) {
      log.info('[dry-run]: rules after cleanup:', family);
      log.info(input.trim(), family);
      continue;
    }
    const r = await runRestore(d, config, { exe, input, mode: 'flush', family }, log);
    if (r.code !== 0) {
      await rollBack(d, config, { family, exe, saveText, touched: kumaTables.map((t) => t.name) }, log);
      throw new ApplyError(
        'RESTORE_FAILED',
        `failed to cleanup ${familyCommand[family]} rules: ${exe.restore} failed: ${failureReason(r.stderr)}; the previous rules were restored. Retry, or delete the pod`,
      );
    }
    log.info('cleanup of existing transparent proxy rules completed successfully', family);
    cleaned.push(family);
  }

  if (d.fileExists(resolvConfBackupPath)) {
    const content = await d.readFile(resolvConfBackupPath);
    if (!config.dryRun) await d.writeFile(resolvConfPath, content, 0o600);
    log.info(content.trim());
  }
  log.info('transparent proxy cleanup completed successfully');
  return { cleaned, spawned: counter.count() };
}
