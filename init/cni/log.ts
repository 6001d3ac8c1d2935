// kuma-cni's log. Never stdout (that is the runtime's result channel). Lines
// go to a file on the host (Kuma: /tmp/kuma-cni.log, rotated at 100 MB) and,
// where the node agent runs, to the agent's stderr, so they show in
// `kubectl logs` of install-cni: Kuma finds the one process whose argv[0] is
// `/install-cni` and writes to its /proc/<pid>/fd/2
// (kumahq/kuma@v2.13.10: app/cni/pkg/cni/{main_linux.go,utils_linux.go}).
// Unlike Kuma, a missing agent is not an error here (docs/cni.md), and the
// agent found is remembered in a root-only file with its start time: reading
// every process's cmdline costs about 50 µs a process, milliseconds to tens
// of milliseconds per call on a busy node, and the agent rarely changes.
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from './plugin-config.ts';

export const DEFAULT_LOG_FILE = '/tmp/kuma-cni.log';
const AGENT_ARGV0 = '/install-cni';
/** The agent last found: `<pid> <start time>` (/run: root's, a tmpfs, gone at reboot). */
const AGENT_CACHE = '/run/kuma-cni-agent';
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

/** Kuma's pidOf test: argv[0], split on whitespace and `:`, is `name`. */
function hasArgv0(pid: string, name: string, procDir: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(join(procDir, pid, 'cmdline'), 'latin1');
  } catch {
    return false; // exited meanwhile, or not readable
  }
  const argv0 = cmdline.split('\0', 1)[0] ?? '';
  return argv0.split(/[\s:]+/).filter(Boolean)[0] === name;
}

/** Pids whose argv[0] is `name` (Kuma's pidOf). */
export function pidsOf(name: string, procDir = '/proc'): number[] {
  return readdirSync(procDir)
    .filter((entry) => /^\d+$/.test(entry) && hasArgv0(entry, name, procDir))
    .map(Number);
}

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22): with the pid, it names one process. */
function startTime(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The agent recorded in `cache`, when that very process still runs as `argv0`; only a file of ours (our owner, nobody else may write) is read. */
function cachedAgent(cache: string, argv0: string): number | undefined {
  try {
    const st = statSync(cache);
    if (st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) return undefined;
    const [pid, started] = readFileSync(cache, 'latin1').trim().split(' ');
    if (!pid || !/^\d+$/.test(pid) || startTime(pid) !== started || !hasArgv0(pid, argv0, '/proc')) return undefined;
    return Number(pid);
  } catch {
    return undefined;
  }
}

/** The one process whose argv[0] is `argv0` (none when there are several, as Kuma), remembered in `cache`. */
export function findAgent(argv0: string, cache: string): number | undefined {
  const cached = cachedAgent(cache, argv0);
  if (cached !== undefined) return cached;
  const pids = pidsOf(argv0);
  if (pids.length !== 1) return undefined;
  const started = startTime(String(pids[0]));
  try {
    const temp = `${cache}.${process.pid}`;
    writeFileSync(temp, `${pids[0]} ${started}\n`, { mode: 0o600 });
    renameSync(temp, cache);
  } catch {
    // a read-only /run only costs the next call a scan
  }
  return pids[0];
}

const bounded = (v: unknown): unknown => (typeof v === 'string' && v.length > MAX_FIELD ? `${v.slice(0, MAX_FIELD)}…` : v);

export function formatLine(level: 'INFO' | 'DEBUG', message: string, fields: Fields = {}, now = new Date()): string {
  const entries = Object.entries(fields).map(([k, v]) => [k, bounded(v)]);
  const tail = entries.length ? `\t${JSON.stringify(Object.fromEntries(entries))}` : '';
  return `${now.toISOString()}\t${level}\tkuma-cni\t${bounded(message) as string}${tail}\n`;
}

function openAgentStderr(argv0: string, cache: string): { fd: number; pid: number } | undefined {
  const pid = findAgent(argv0, cache);
  if (pid === undefined) return undefined;
  try {
    return { fd: openSync(`/proc/${pid}/fd/2`, constants.O_WRONLY), pid };
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

/** Debug until the config's level is known, as Kuma's file logger. `agentArgv0` and `agentCache` are for tests. */
export function openCniLog(file: string, agentArgv0 = AGENT_ARGV0, agentCache = AGENT_CACHE): CniLog {
  const fileFd = openFile(file);
  const agent = openAgentStderr(agentArgv0, agentCache);
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
