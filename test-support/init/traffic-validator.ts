// Starts the validator (traffic-validator-main.ts) inside a namespace as a
// given user, through node + tsx's loader (absolute paths: the user may not
// own the repository and has no HOME).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Netns, RunResult } from './netns.ts';
import type { ValidatorFlags } from '../../init/validator/options.ts';
import type { ProbeTiming } from '../../init/validator/token-probe.ts';

const main = fileURLToPath(new URL('./traffic-validator-main.ts', import.meta.url));
const cli = fileURLToPath(new URL('../../bin/kuma-init.js', import.meta.url));
const tsxLoader = pathToFileURL(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url))).href;
const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

const asUser = (as: { uid: number; gid: number }) => [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups'];

/** The validator through its entry with test timings (fast failures). */
export function runValidatorIn(
  ns: Netns,
  as: { uid: number; gid: number },
  flags: ValidatorFlags,
  timing?: Partial<ProbeTiming>,
): Promise<RunResult> {
  return ns.run(
    'setpriv',
    [...asUser(as), node, '--import', tsxLoader, main, JSON.stringify({ flags, timing })],
    { timeoutMs: 30_000, env: { HOME: '/tmp' } },
  );
}

/** `kuma-init <args>` through the real CLI entry (bin/kuma-init.js), Kuma's timings. */
export function runKumaInitIn(ns: Netns, as: { uid: number; gid: number }, args: readonly string[]): Promise<RunResult> {
  return ns.run('setpriv', [...asUser(as), node, cli, ...args], { timeoutMs: 30_000, env: { HOME: '/tmp' } });
}
