// Putting a family's tables back to a snapshot taken before a change
// (iptables-save text): a flush-mode restore of the touched tables as saved,
// where tables the change created are emptied, then a fresh save to verify.
// Only what this process changed is put back: a fresh save first tells which
// touched tables differ from the snapshot, and of those only the ones that now
// hold exactly this change (`owns`) are restored. A restore that failed before
// committing anything (the xtables lock, a conflicting chain) therefore
// restores nothing, and another writer's rules are never overwritten.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, type SystemDeps } from '../system/index.ts';
import type { Executables, IpFamily } from '../profile/index.ts';
import type { ApplyLog } from './log.ts';
import { comparableState, parseTables, tablesText, type TableText } from './restore-text.ts';
import { failureReason, runRestore } from './restore.ts';

export interface Snapshot {
  family: IpFamily;
  exe: Executables;
  /** iptables-save output before the change. */
  saveText: string;
  /** Tables the change wrote to. */
  touched: readonly string[];
  /** True when a changed table holds this change (and nobody else's); absent: every changed table is ours. */
  owns?: (table: TableText) => boolean;
}

const tableState = (t: TableText | undefined) => (t ? comparableState(tablesText([t])) : '');

export interface RollbackResult {
  /** Tables put back (none when nothing of this change had been committed). */
  restored: string[];
  /** Touched tables changed by another process, left as they are. */
  foreign: string[];
}

/** Restores and verifies; throws ROLLBACK_FAILED when the tables could not be put back. */
export async function rollBack(
  deps: SystemDeps,
  config: Pick<TransparentProxyConfig, 'wait' | 'waitInterval' | 'retry'>,
  snap: Snapshot,
  log: ApplyLog,
): Promise<RollbackResult> {
  const saved = parseTables(snap.saveText);
  const now = await deps.run(snap.exe.save, [], { env: deps.env });
  if (now.code !== 0) throw rollbackFailed(snap, failureReason(now.stderr));
  const current = parseTables(now.stdout);
  const changed = snap.touched.filter((name) => {
    const cur = current.find((t) => t.name === name);
    return tableState(cur) !== tableState(saved.find((t) => t.name === name));
  });
  const ours = changed.filter((name) => (snap.owns ? snap.owns(current.find((t) => t.name === name) ?? { name, chainLines: [], lines: [] }) : true));
  const foreign = changed.filter((n) => !ours.includes(n));
  for (const name of foreign) log.warn(`table ${name} was changed by another process; leaving it as it is`, snap.family);
  if (ours.length === 0) return { restored: [], foreign };
  // Tables the change created are emptied (on nft an empty restore deletes nothing, but nothing remains in them).
  const input = tablesText(ours.map((name) => saved.find((t) => t.name === name) ?? { name, chainLines: [], lines: [] }));
  log.warn('restoring the rules saved before the change', snap.family);
  const r = await runRestore(deps, config, { exe: snap.exe, input, mode: 'flush', family: snap.family }, log);
  if (r.code !== 0) throw rollbackFailed(snap, failureReason(r.stderr));
  const after = await deps.run(snap.exe.save, [], { env: deps.env });
  const oursState = (tables: readonly TableText[]) => ours.map((name) => tableState(tables.find((t) => t.name === name))).join('\n');
  if (after.code !== 0 || oursState(parseTables(after.stdout)) !== oursState(saved)) throw rollbackFailed(snap, 'the restored rules differ from the saved ones');
  return { restored: ours, foreign };
}

function rollbackFailed(snap: Snapshot, why: string): ApplyError {
  return new ApplyError(
    'ROLLBACK_FAILED',
    `${snap.exe.restore}: could not restore the previous rules (${why}). The pod network may be half configured: delete the pod so it gets a fresh network namespace`,
  );
}
