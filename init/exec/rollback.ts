// Putting a family's tables back to a snapshot taken before a change
// (iptables-save text): a flush-mode restore of the touched tables as saved,
// where tables the change created are emptied, then a fresh save to verify.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, type SystemDeps } from '../system/index.ts';
import type { Executables, IpFamily } from '../profile/index.ts';
import type { ApplyLog } from './log.ts';
import { comparableState, parseTables, tablesText } from './restore-text.ts';
import { failureReason, runRestore } from './restore.ts';

export interface Snapshot {
  family: IpFamily;
  exe: Executables;
  /** iptables-save output before the change. */
  saveText: string;
  /** Tables the change wrote to. */
  touched: readonly string[];
}

/** Restores and verifies; throws ROLLBACK_FAILED when the tables could not be put back. */
export async function rollBack(
  deps: SystemDeps,
  config: Pick<TransparentProxyConfig, 'wait' | 'waitInterval' | 'retry'>,
  snap: Snapshot,
  log: ApplyLog,
): Promise<void> {
  // Only the tables the change wrote to: a concurrent change elsewhere is not undone.
  const saved = parseTables(snap.saveText).filter((t) => snap.touched.includes(t.name));
  const created = snap.touched.filter((t) => !saved.some((s) => s.name === t)).map((name) => ({ name, chainLines: [], lines: [] }));
  const input = tablesText([...saved, ...created]);
  const touchedState = (save: string) => comparableState(tablesText(parseTables(save).filter((t) => snap.touched.includes(t.name))));
  log.warn('restoring the rules saved before the change', snap.family);
  const r = await runRestore(deps, config, { exe: snap.exe, input, mode: 'flush', family: snap.family }, log);
  const after = r.code === 0 ? await deps.run(snap.exe.save, [], { env: deps.env }) : undefined;
  if (!after || after.code !== 0 || touchedState(after.stdout) !== touchedState(snap.saveText)) {
    const why = r.code !== 0 ? failureReason(r.stderr) : 'the restored rules differ from the saved ones';
    throw new ApplyError(
      'ROLLBACK_FAILED',
      `${snap.exe.restore}: could not restore the previous rules (${why}). The pod network may be half configured: delete the pod so it gets a fresh network namespace`,
    );
  }
}
