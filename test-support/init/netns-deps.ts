// SystemDeps that act inside a test network namespace: every command runs via
// `ip netns exec`, interfaces come from `ip -j addr` in that namespace, and
// /etc/passwd can be given extra users (like Kuma's e2e `useradd -u 5678 kuma-dp`).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemDeps, type SystemDeps } from '../../init/system/deps.ts';
import { parseIpAddrJson } from '../../init/profile/parse.ts';
import { countSpawns, spawnCommand, type CountingRunner } from '../../init/system/run.ts';
import type { Netns } from './netns.ts';

export interface NetnsDeps extends SystemDeps {
  /** Counts the processes spawned inside the namespace. */
  spawns: CountingRunner;
}

export interface NetnsDepsOptions {
  /** Lines appended to the host's /etc/passwd as read by detection. */
  extraPasswd?: string;
  /** /etc/resolv.conf and /etc/resolv.conf.kuma-backup are read and written here instead (a temp dir). */
  etcDir?: string;
  overrides?: Partial<SystemDeps>;
}

/** Files under /etc/resolv.conf* go to `etcDir`; nothing outside the temp dir is ever written. */
function redirectEtc(path: string, etcDir: string | undefined): string {
  return etcDir && path.startsWith('/etc/resolv.conf') ? join(etcDir, path.slice('/etc/'.length)) : path;
}

export function netnsDeps(ns: Netns, opts: NetnsDepsOptions = {}): NetnsDeps {
  const spawns = countSpawns((cmd, args, o) => {
    const [c, a] = ns.wrap(cmd, args);
    return spawnCommand(c, a, o);
  });
  const base = systemDeps();
  return {
    ...base,
    run: spawns.run,
    spawns,
    readFile: async (path) => {
      // /proc/net describes the reader's network namespace: read it from inside the test's.
      if (path.startsWith('/proc/net/')) return ns.runOk('cat', [path]);
      const text = await base.readFile(redirectEtc(path, opts.etcDir));
      return path === '/etc/passwd' && opts.extraPasswd ? `${text.trimEnd()}\n${opts.extraPasswd}\n` : text;
    },
    fileExists: (path) => base.fileExists(redirectEtc(path, opts.etcDir)),
    writeFile: async (path, content, mode) => {
      const target = redirectEtc(path, opts.etcDir);
      if (!target.startsWith(tmpdir())) throw new Error(`test deps refuse to write outside ${tmpdir()}: ${path}`);
      await base.writeFile(target, content, mode);
    },
    interfaces: async () => parseIpAddrJson(await ns.runOk('ip', ['-j', 'addr', 'show'])),
    ...opts.overrides,
  };
}

/** The passwd line Kuma's e2e harness creates with `useradd -u 5678 kuma-dp`. */
export const kumaDpPasswdLine = 'kuma-dp:x:5678:5678::/home/kuma-dp:/bin/sh';
