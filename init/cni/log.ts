// kuma-cni's log. Never stdout (that is the runtime's result channel). Lines
// go to a file on the host (Kuma: /tmp/kuma-cni.log, rotated at 100 MB) and,
// where the node agent runs, to the agent's stderr, so they show in
// `kubectl logs` of install-cni: Kuma finds the one process whose argv[0] is
// `/install-cni` and writes to its /proc/<pid>/fd/2
// (kumahq/kuma@v2.13.10: app/cni/pkg/cni/{main_linux.go,utils_linux.go}).
// Unlike Kuma, a missing agent is not an error here (docs/cni.md).
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from './plugin-config.ts';

export const DEFAULT_LOG_FILE = '/tmp/kuma-cni.log';
const AGENT_ARGV0 = '/install-cni';
const ROTATE_BYTES = 100 * 1024 * 1024;
const MAX_FIELD = 1024;

export type Fields = Record<string, unknown>;

export interface CniLog {
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  setLevel(level: LogLevel): void;
  /** Where lines go besides the file (for the ADD log line); undefined when no agent was found. */
  readonly agentPid: number | undefined;
  close(): void;
}

/** Pids whose argv[0], split on whitespace and `:`, is `name` (Kuma's pidOf). */
export function pidsOf(name: string, procDir = '/proc'): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(join(procDir, entry, 'cmdline'), 'latin1');
    } catch {
      continue; // exited meanwhile, or not readable
    }
    const argv0 = cmdline.split('\0', 1)[0] ?? '';
    if (argv0.split(/[\s:]+/).filter(Boolean)[0] === name) pids.push(Number(entry));
  }
  return pids;
}

const bounded = (v: unknown): unknown => (typeof v === 'string' && v.length > MAX_FIELD ? `${v.slice(0, MAX_FIELD)}…` : v);

export function formatLine(level: 'INFO' | 'DEBUG', message: string, fields: Fields = {}, now = new Date()): string {
  const entries = Object.entries(fields).map(([k, v]) => [k, bounded(v)]);
  const tail = entries.length ? `\t${JSON.stringify(Object.fromEntries(entries))}` : '';
  return `${now.toISOString()}\t${level}\tkuma-cni\t${bounded(message) as string}${tail}\n`;
}

function openAgentStderr(argv0: string): { fd: number; pid: number } | undefined {
  const pids = pidsOf(argv0);
  if (pids.length !== 1) return undefined;
  try {
    return { fd: openSync(`/proc/${pids[0]}/fd/2`, constants.O_WRONLY), pid: pids[0]! };
  } catch {
    return undefined;
  }
}

function openFile(path: string): number | undefined {
  try {
    if (existsSync(path) && statSync(path).size > ROTATE_BYTES) renameSync(path, `${path}.1`);
    return openSync(path, 'a', 0o600);
  } catch {
    return undefined; // a read-only /tmp must not fail a pod
  }
}

/** Debug until the config's level is known, as Kuma's file logger. `agentArgv0` is for tests. */
export function openCniLog(file: string, agentArgv0 = AGENT_ARGV0): CniLog {
  const fileFd = openFile(file);
  const agent = openAgentStderr(agentArgv0);
  let level: LogLevel = 'debug';
  const write = (line: string) => {
    for (const fd of [fileFd, agent?.fd]) {
      if (fd === undefined) continue;
      try {
        writeSync(fd, line);
      } catch {
        // the agent may have exited; the file may be full
      }
    }
  };
  return {
    info: (message, fields) => {
      if (level !== 'off') write(formatLine('INFO', message, fields));
    },
    debug: (message, fields) => {
      if (level === 'debug') write(formatLine('DEBUG', message, fields));
    },
    setLevel: (l) => {
      level = l;
    },
    agentPid: agent?.pid,
    close: () => {
      for (const fd of [fileFd, agent?.fd]) if (fd !== undefined) closeSync(fd);
    },
  };
}
