// What the traffic tests run as another UID (kuma-dp's 5678, an excluded
// 4242): kuma-init, the validator's test entry and the probe script. That UID
// may not read the checkout (root's home is 0700, so is a `mktemp -d` folder),
// so they run from a temporary folder every user can read: kuma-init bundled as
// its image bundles it (bin/bundle.ts), the validator entry bundled the same
// way, the probe script copied. Built once per test file, removed by its afterAll.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleProgram } from '../../bin/bundle.ts';

export interface ReadablePrograms {
  /** kuma-init as one self-contained ESM file (`node <file> args...`). */
  kumaInit: string;
  /** traffic-validator-main.ts bundled (`node <file> <json>`). */
  validator: string;
  /** traffic_probe.py (`python3 <file> ...`). */
  probe: string;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Throws, saying why, when a folder above `dir` cannot be entered by other users. */
function checkOthersCanEnter(dir: string): void {
  for (let p = dirname(dir); ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) {
      throw new Error(`${p} cannot be entered by other users, so kuma-init cannot run there as another UID: set TMPDIR to a folder they can enter (e.g. /tmp)`);
    }
    if (p === dirname(p)) return;
  }
}

async function buildPrograms(): Promise<ReadablePrograms> {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-init-as-other-uid-'));
  builtIn = dir;
  checkOthersCanEnter(dir);
  chmodSync(dir, 0o755);
  const programs: ReadablePrograms = {
    kumaInit: await bundleProgram('kuma-init', dir),
    validator: join(dir, 'traffic-validator.mjs'),
    probe: join(dir, 'traffic_probe.py'),
  };
  await build({
    entryPoints: [here('./traffic-validator-main.ts')],
    outfile: programs.validator,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    // CommonJS packages (yaml) inside an ESM bundle require node's builtins at run time, as in bin/bundle.ts.
    banner: { js: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);" },
  });
  copyFileSync(here('./traffic_probe.py'), programs.probe);
  for (const file of [programs.validator, programs.probe]) chmodSync(file, 0o644);
  return programs;
}

let programs: Promise<ReadablePrograms> | undefined;
let builtIn: string | undefined;

/** The programs, readable and runnable by any UID (a tmpdir that other users cannot enter fails here, saying so). */
export function readablePrograms(): Promise<ReadablePrograms> {
  programs ??= buildPrograms();
  return programs;
}

/** Removes the folder (the afterAll of a test file that ran them). */
export function removeReadablePrograms(): void {
  if (builtIn) rmSync(builtIn, { recursive: true, force: true });
  builtIn = undefined;
  programs = undefined;
}
