// Runs bin/install-cni.js in its own process, as a DaemonSet container runs
// /install-cni, and gives a test its log, its readiness address and a stop
// that sends SIGTERM and waits for the exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'install-cni.js');

export interface AgentProcess {
  child: ChildProcess;
  /** Everything the agent wrote to stderr so far. */
  log(): string;
  /** Resolves once the log contains `text`; rejects after `timeoutMs`. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** http://host:port of /readyz and /healthz, once the agent serves them. */
  readinessUrl(): Promise<string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startAgent(env: Record<string, string>): AgentProcess {
  const child = spawn(process.execPath, [bin], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const waitForLog = async (text: string | RegExp, timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = typeof text === 'string' ? (log.includes(text) ? text : undefined) : text.exec(log)?.[0];
      if (match !== undefined) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`agent log has no ${String(text)}:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    child,
    log: () => log,
    waitForLog,
    readinessUrl: async () => {
      const line = await waitForLog(/readiness endpoint listening\t\{"address":"[^"]+"\}/);
      return `http://${(JSON.parse(line.split('\t')[1]!) as { address: string }).address}`;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `check` every 10 ms; resolves to the milliseconds it took to hold, or rejects after `timeoutMs`. */
export async function timeUntil(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - start;
}
