// Everything the CLI reads from or writes to the outside world, so commands
// run in tests without a real process, terminal or root.
import { readFileSync } from 'node:fs';
import { type SystemDeps, systemDeps } from '../system/index.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => string;
  /** The rest of stdin; '' once consumed (a second `--config -` reads nothing, as in Kuma). */
  readStdin: () => string;
  euid: number;
  platform: NodeJS.Platform;
  /** iptables, files and interfaces for profile detection and the executor. */
  system: SystemDeps;
}

/** The real process. */
export function processIo(): CliIo {
  let stdinConsumed = false;
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    readStdin: () => {
      if (stdinConsumed) return '';
      stdinConsumed = true;
      return readFileSync(0, 'utf8');
    },
    euid: process.geteuid?.() ?? 0,
    platform: process.platform,
    system: systemDeps(),
  };
}
