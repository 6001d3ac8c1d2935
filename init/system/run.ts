// The one place kuma-init spawns processes. Everything that touches iptables
// goes through a RunCommand so tests can run it inside a network namespace (or
// feed recorded outputs), and so the number of spawned processes is countable.
import { spawn } from 'node:child_process';

export interface RunResult {
  /** Exit code; 127 when the executable could not be started at all. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin (iptables-restore reads its rules from stdin). */
  input?: string;
  /** Extra environment variables, e.g. XTABLES_LOCKFILE. */
  env?: Record<string, string>;
}

export type RunCommand = (cmd: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** Spawns `cmd` directly (no shell); never rejects: a start failure is exit code 127 with the reason in stderr. */
export const spawnCommand: RunCommand = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const child = spawn(cmd, [...args], {
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      // No input, no pipe: an empty write to a child that already exited fails with EPIPE, an error whose
      // stack (source-mapped under tsx) costs more than starting the process.
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let startError: Error | undefined;
    child.on('error', (err) => (startError = err));
    child.on('close', (code, signal) => {
      if (code !== null && !startError) return resolve({ code, stdout, stderr });
      resolve({ code: 127, stdout, stderr: stderr || (startError?.message ?? `${cmd} was killed by ${signal}`) });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the process may exit before reading stdin
      child.stdin.end(opts.input);
    }
  });

export interface CountingRunner {
  run: RunCommand;
  /** Processes spawned through `run` since creation or the last reset. */
  count(): number;
  reset(): void;
}

/** Wraps a runner and counts the processes it spawns (reported by the benchmark). */
export function countSpawns(inner: RunCommand): CountingRunner {
  let n = 0;
  return {
    run: (cmd, args, opts) => {
      n++;
      return inner(cmd, args, opts);
    },
    count: () => n,
    reset: () => {
      n = 0;
    },
  };
}
