// SystemDeps that act inside a test network namespace: every command runs via
// `ip netns exec`, interfaces come from `ip -j addr` in that namespace, and
// /etc/passwd can be given extra users (like Kuma's e2e `useradd -u 5678 kuma-dp`).
import { systemDeps, type SystemDeps } from '../../profile/deps.ts';
import { parseIpAddrJson } from '../../profile/parse.ts';
import { countSpawns, spawnCommand, type CountingRunner } from '../../exec/run.ts';
import type { Netns } from './netns.ts';

export interface NetnsDeps extends SystemDeps {
  /** Counts the processes spawned inside the namespace. */
  spawns: CountingRunner;
}

export function netnsDeps(ns: Netns, opts: { extraPasswd?: string; overrides?: Partial<SystemDeps> } = {}): NetnsDeps {
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
      const text = await base.readFile(path);
      return path === '/etc/passwd' && opts.extraPasswd ? `${text.trimEnd()}\n${opts.extraPasswd}\n` : text;
    },
    interfaces: async () => parseIpAddrJson(await ns.runOk('ip', ['-j', 'addr', 'show'])),
    ...opts.overrides,
  };
}

/** The passwd line Kuma's e2e harness creates with `useradd -u 5678 kuma-dp`. */
export const kumaDpPasswdLine = 'kuma-dp:x:5678:5678::/home/kuma-dp:/bin/sh';
