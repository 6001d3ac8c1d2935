// Servers the benchmarks and the fuzzer run as child processes on loopback
// HTTPS: started, waited for, measured (/proc) and stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
}

/**
 * Node flags of the webhook as the image runs it: the NODE_OPTIONS of
 * webhook/Dockerfile, so measurements see the server as production does.
 */
export function productionNodeOptions(): string[] {
  const dockerfile = readFileSync(resolve(repo, 'webhook', 'Dockerfile'), 'utf8');
  const line = /^ENV NODE_OPTIONS="?([^"\n]+)"?$/m.exec(dockerfile);
  if (!line) throw new Error('webhook/Dockerfile sets no NODE_OPTIONS');
  return line[1]!.trim().split(/\s+/);
}

/**
 * Starts `node <script> ...args` (TypeScript through `--import tsx`, a bundle as it is) and resolves
 * once it answers HTTPS on `port`. Its output goes to a file, so logging costs the server what it
 * costs in production and nothing to the client.
 */
export async function startServer(name: string, script: string, args: string[], port: number, logFile: string, nodeFlags: string[] = []): Promise<Server> {
  const log = openSync(logFile, 'w');
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...loader, resolve(repo, script), ...args], { cwd: repo, stdio: ['ignore', log, log] });
  closeSync(log);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start in 30 s:\n${readFileSync(logFile, 'utf8')}`);
    if (await answers(port)) return { name, port, child };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM, then wait for the exit (a CPU profile is written on the way out); SIGKILL after 10 s. */
export async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      done(true);
    });
    req.on('error', () => done(false));
    req.end();
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A field of /proc/<pid>/status in MB: VmRSS (now) or VmHWM (the peak so far). */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}
