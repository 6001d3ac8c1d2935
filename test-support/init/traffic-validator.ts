// Starts the validator (traffic-validator-main.ts) or kuma-init inside a
// namespace as a given user, bundled into a folder that user can read
// (readable-programs.ts: the user may not be able to read the checkout, and has no HOME).
import { existsSync } from 'node:fs';
import type { Netns, RunResult } from './netns.ts';
import type { ValidatorFlags } from '../../init/validator/options.ts';
import type { ProbeTiming } from '../../init/validator/token-probe.ts';
import { readablePrograms } from './readable-programs.ts';

const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

const asUser = (as: { uid: number; gid: number }) => [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups'];

/** The validator through its entry with test timings (fast failures). */
export async function runValidatorIn(
  ns: Netns,
  as: { uid: number; gid: number },
  flags: ValidatorFlags,
  timing?: Partial<ProbeTiming>,
): Promise<RunResult> {
  const { validator } = await readablePrograms();
  return ns.run('setpriv', [...asUser(as), node, validator, JSON.stringify({ flags, timing })], { timeoutMs: 30_000, env: { HOME: '/tmp' } });
}

/** `kuma-init <args>` as the image runs it (the bundled CLI, bin/bundle.ts), Kuma's timings. */
export async function runKumaInitIn(ns: Netns, as: { uid: number; gid: number }, args: readonly string[]): Promise<RunResult> {
  const { kumaInit } = await readablePrograms();
  return ns.run('setpriv', [...asUser(as), node, kumaInit, ...args], { timeoutMs: 30_000, env: { HOME: '/tmp' } });
}
