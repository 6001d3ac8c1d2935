// Running iptables-restore: one process, rules on stdin, Kuma's lock flags
// (legacy only, only when > 0: `--wait=N`, `--wait-interval=N`; XTABLES_LOCKFILE
// from the environment is honoured by iptables >= 1.8.6), and retries per
// config.retry — but only for transient failures such as a held xtables lock;
// an error like "Operation not supported" fails at once.
import type { TransparentProxyConfig } from '../config/index.ts';
import type { RunResult, SystemDeps } from '../system/index.ts';
import type { Executables, IpFamily } from '../profile/index.ts';
import type { ApplyLog } from './log.ts';

/** Kuma's buildRestoreArgs: legacy backend only (explicit paths count as unknown mode), values > 0 only. */
export function lockArgs(config: Pick<TransparentProxyConfig, 'wait' | 'waitInterval'>, exe: Executables): string[] {
  if (exe.mode !== 'legacy' || exe.fromConfig) return [];
  return [...(config.wait > 0 ? [`--wait=${config.wait}`] : []), ...(config.waitInterval > 0 ? [`--wait-interval=${config.waitInterval}`] : [])];
}

const transient = [
  /xtables lock/i,
  /Another app is currently holding/i,
  /Resource temporarily unavailable/i,
  /Could not fetch rule set generation id/i,
  /Device or resource busy/i,
];

export function isTransientFailure(stderr: string): boolean {
  return transient.some((re) => re.test(stderr));
}

export type RestoreMode = 'noflush' | 'flush' | 'test';

export interface RestoreRequest {
  exe: Executables;
  input: string;
  mode: RestoreMode;
  family: IpFamily;
}

const modeArgs: Record<RestoreMode, string[]> = { noflush: ['--noflush'], flush: [], test: ['--test'] };

/** Runs one restore with retries on transient failures; resolves with the last result (code 0 = success). */
export async function runRestore(
  deps: SystemDeps,
  config: Pick<TransparentProxyConfig, 'wait' | 'waitInterval' | 'retry'>,
  req: RestoreRequest,
  log: ApplyLog,
): Promise<RunResult> {
  const args = [...lockArgs(config, req.exe), ...modeArgs[req.mode]];
  const tries = config.retry.maxRetries + 1;
  let result: RunResult = { code: 1, stdout: '', stderr: '' };
  for (let attempt = 1; attempt <= tries; attempt++) {
    result = await deps.run(req.exe.restore, args, { input: req.input, env: deps.env });
    if (result.code === 0) return result;
    const counter = tries > 1 ? `[${attempt}/${tries}] ` : '';
    log.warn(`${counter}restoring failed: ${result.stderr.trim().split('\n').join(', ')}`, req.family);
    if (!isTransientFailure(result.stderr) || attempt === tries) break;
    log.info(`${counter}will try again in ${config.retry.sleepBetweenRetries}ms`, req.family);
    await new Promise((r) => setTimeout(r, config.retry.sleepBetweenRetries));
  }
  return result;
}

/** The first line that explains a restore failure (`iptables-restore: line 3 failed` carries no reason). */
export function failureReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => !/line \d+ failed$/.test(l)) ?? lines[0] ?? 'no error output';
}

/** What iptables' stderr says is missing: `match 'conntrack'`, `target 'CT'`, ... (undefined when it does not say). */
export function missingFeature(stderr: string): string | undefined {
  const load = /Couldn't load (match|target) [`'"]?([\w.-]+?)['`"]?(?::|\s|$)/m.exec(stderr);
  if (load) return `${load[1]} '${load[2]}'`;
  const option = /unknown option "([^"]+)"/.exec(stderr);
  if (option) return `option "${option[1]}"`;
  const kernel = /(Operation not supported|Table does not exist|Protocol not supported|No chain\/target\/match by that name)/.exec(stderr);
  return kernel ? `kernel support (${kernel[1]})` : undefined;
}
