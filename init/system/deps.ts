// System access used by profile detection and the executor, injectable so
// tests run against a network namespace or against recorded outputs.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { networkInterfaces, release } from 'node:os';
import { holdCommand, spawnCommand, type HoldCommand, type RunCommand } from './run.ts';

export interface InterfaceAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
}

export interface NetInterface {
  name: string;
  loopback: boolean;
  addresses: InterfaceAddress[];
}

/** A per-namespace install lock being taken (netns-lock.ts). */
export interface NetnsLock {
  /** Settles once the lock is held; rejects with an ApplyError when it cannot be taken. */
  held: Promise<void>;
  release(): Promise<void>;
}

export interface SystemDeps {
  run: RunCommand;
  /** Starts a process that runs until released (the network-namespace lock, netns-lock.ts). */
  hold: HoldCommand;
  /**
   * The lock that serialises installs in this namespace (netns-lock.ts), when the caller already started
   * taking it and releases it itself (kuma-cni); otherwise the pipeline takes an flock on `/proc/self/ns/net`
   * as `hold` sees it.
   */
  netnsLock?: NetnsLock;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string, mode: number): Promise<void>;
  fileExists(path: string): boolean;
  /** True when `path` is an executable file. */
  isExecutable(path: string): boolean;
  /** Symlinks resolved (iptables-nft, -save and -restore are usually one multi-call binary). */
  realPath(path: string): string;
  /** Directories of $PATH, in order. */
  pathDirs(): string[];
  /** Interfaces of the network namespace the rules are for. */
  interfaces(): Promise<NetInterface[]>;
  /** `uname -r`, for error messages. */
  kernelRelease(): Promise<string>;
  /** Environment passed to every iptables process (e.g. XTABLES_LOCKFILE). */
  env: Record<string, string>;
}

/**
 * Go's exec.LookPath test: a file (not a directory) with an execute bit. Checked with a stat that
 * does not throw, since most candidates do not exist and a thrown error costs tens of microseconds.
 */
function isExecutable(path: string): boolean {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st !== undefined && !st.isDirectory() && (st.mode & 0o111) !== 0;
  } catch {
    return false; // ENOTDIR, EACCES: not usable either
  }
}

/** Node's interface list: `internal` is the IFF_LOOPBACK flag (libuv). */
function localInterfaces(): Promise<NetInterface[]> {
  return Promise.resolve(
    Object.entries(networkInterfaces()).map(([name, addrs = []]) => ({
      name,
      loopback: addrs.some((a) => a.internal),
      addresses: addrs.map((a) => ({ address: a.address, family: a.family })),
    })),
  );
}

/** The real system: this process's network namespace and file system. */
export function systemDeps(overrides: Partial<SystemDeps> = {}): SystemDeps {
  return {
    run: spawnCommand,
    hold: holdCommand,
    // Small local files (/etc/passwd, resolv.conf, /proc/net): a synchronous read takes microseconds,
    // where fs/promises makes several thread-pool round trips that a loaded machine delays by milliseconds.
    readFile: (p) => {
      try {
        return Promise.resolve(readFileSync(p, 'utf8'));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    writeFile: (p, c, mode) => writeFile(p, c, { mode }),
    fileExists: existsSync,
    isExecutable,
    realPath: (p) => {
      try {
        return realpathSync(p);
      } catch {
        return p;
      }
    },
    pathDirs: () => (process.env.PATH ?? '').split(':').filter(Boolean),
    interfaces: localInterfaces,
    kernelRelease: () => Promise.resolve(release()),
    env: {},
    ...overrides,
  };
}
