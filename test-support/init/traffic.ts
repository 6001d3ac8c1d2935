// Listeners and clients for the real-traffic tests, run inside network
// namespaces through traffic_probe.py (python, because only getsockopt can
// recover SO_ORIGINAL_DST). A client prints who answered, so every assertion
// reads "this connection reached that listener, which saw that original
// destination".
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Netns } from './netns.ts';
import { readablePrograms } from './readable-programs.ts';

/** The system interpreter: a per-user one (pyenv under /root) is not runnable by other UIDs. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export type Proto = 'tcp' | 'udp';

export interface Listener {
  /** Word the listener answers with. */
  name: string;
  /** `hold`: TCP that accepts and never answers. */
  proto: Proto | 'hold';
  /** Address to bind (`0.0.0.0`, `::`, `127.0.0.1`, a veth address, ...). */
  addr: string;
  port: number;
}

export interface ProbeServer {
  /** Kills the listeners and resolves once the process is gone and its ports are free again. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

export interface RunAs {
  uid: number;
  gid: number;
}

/** `cmd args` run as `as` through setpriv (no supplementary groups), or unchanged. */
function runAs(as: RunAs | undefined, argv: string[]): string[] {
  return as ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', ...argv] : argv;
}

/**
 * Starts one python process in `ns` serving all `listeners`, as `as` if given
 * (kuma-dp's listeners run as the kuma-dp UID, which the DNS conntrack-zone
 * rules match); resolves once they are bound.
 */
export async function startListeners(ns: Netns, listeners: readonly Listener[], as?: RunAs): Promise<ProbeServer> {
  const probeScript = (await readablePrograms()).probe;
  const specs = listeners.map((l) => `${l.name}:${l.proto}:${l.addr.includes(':') ? `[${l.addr}]` : l.addr}:${l.port}`);
  const [head, ...rest] = runAs(as, [python, probeScript, 'serve', ...specs]);
  const [cmd, args] = ns.wrap(head!, rest);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Waiting for the exit matters: a test that binds the same port next would
  // otherwise race the dying process (EADDRINUSE).
  const stop = async () => {
    running.delete(child);
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`listeners in ${ns.name} not ready after 10s: ${stderr}`)), 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      void stop();
      reject(e);
    };
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve({ stop });
      }
    });
    child.on('exit', (code) => fail(new Error(`listeners in ${ns.name} exited ${code}: ${stderr.trim()}`)));
  });
}

/** Kills every listener process still running (for afterAll). */
export function stopAllListeners(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface ClientOptions {
  /** Run the client as this user (setpriv), to exercise UID matches. */
  as?: RunAs;
  /** Source address to bind before connecting. */
  bind?: string;
}

/**
 * Connects (TCP) or sends one datagram (UDP) from inside `ns` and returns the
 * answer: "NAME ORIGINAL-DST" for TCP, "NAME" for UDP, or "ERROR ...".
 */
export async function probe(ns: Netns, proto: Proto, addr: string, port: number, opts: ClientOptions = {}): Promise<string> {
  const probeScript = (await readablePrograms()).probe;
  const argv = runAs(opts.as, [python, probeScript, proto, addr, String(port), ...(opts.bind ? ['--bind', opts.bind] : [])]);
  const r = await ns.run(argv[0]!, argv.slice(1), { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`probe client failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** `host:port` as the probe prints an original destination. */
export function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** uid/gid of a user from /etc/passwd (the config resolves kumaDPUser the same way). */
export function passwdUser(name: string): { name: string; uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`user ${name} not found in /etc/passwd`);
}
