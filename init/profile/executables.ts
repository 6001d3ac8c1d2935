// Locating iptables executables as Kuma 2.13 does (config_executables.go):
// `<prefix>-<mode>[-save|-restore]` then `<prefix>[-save|-restore]`, each
// first in $PATH then in the fallback directories, the first whose `--version`
// reports the wanted mode wins. Explicit paths (iptablesExecutables) are tried
// first and only warn when unusable.
import { join } from 'node:path';
import type { IptablesExecutablesConfig } from '../config/index.ts';
import type { SystemDeps } from '../system/index.ts';
import { parseIptablesVersion, type VersionProbe } from './parse.ts';
import type { Executables, IpFamily, IptablesMode } from './profile.ts';

const fallbackDirs = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const parts = ['', 'save', 'restore'] as const;
type Part = (typeof parts)[number];

const commandPrefix: Record<IpFamily, 'iptables' | 'ip6tables'> = { ipv4: 'iptables', ipv6: 'ip6tables' };

const joinName = (...p: string[]) => p.filter(Boolean).join('-');

/** Resolves a bare name through $PATH (Go's exec.LookPath); a path with `/` must itself exist. */
function findPath(deps: SystemDeps, name: string): string | undefined {
  if (name.includes('/')) return deps.isExecutable(name) ? name : undefined;
  for (const dir of deps.pathDirs()) {
    const p = join(dir, name);
    if (deps.isExecutable(p)) return p;
  }
  return undefined;
}

/**
 * `--version` at most once per binary during one detection: candidates and the
 * three executables of a backend usually resolve to one multi-call binary
 * (xtables-nft-multi), whose version and mode are the same under every name.
 */
export class VersionCache {
  private readonly seen = new Map<string, Promise<VersionProbe>>();
  /**
   * `byName` (fast path): the standard multi-call binaries are recognised by
   * their resolved name, since xtables-nft-multi always reports nf_tables and
   * xtables-legacy-multi legacy; the version is then unknown here ('') and is
   * read from the iptables-save header when there is one.
   */
  constructor(
    private readonly deps: SystemDeps,
    private readonly byName = false,
  ) {}
  probe(path: string): Promise<VersionProbe> {
    const binary = this.deps.realPath(path);
    let p = this.seen.get(binary);
    if (!p) {
      const mode = this.byName ? multiBinaryMode(binary) : undefined;
      p = mode
        ? Promise.resolve({ ok: true, version: '', mode })
        : this.deps.run(path, ['--version'], { env: this.deps.env }).then((r) => parseIptablesVersion(r.code, r.stdout, r.stderr));
      this.seen.set(binary, p);
    }
    return p;
  }
}

/** The backend of a standard xtables multi-call binary, from its resolved path; undefined for anything else. */
export function multiBinaryMode(realPath: string): IptablesMode | undefined {
  const m = /(?:^|\/)xtables-(nft|legacy)-multi$/.exec(realPath);
  return m ? (m[1] as IptablesMode) : undefined;
}

/** All three executables resolve to the standard multi-call binary of their mode. */
export function isStandardMultiBinary(deps: SystemDeps, exe: Executables): boolean {
  return !exe.fromConfig && [exe.iptables, exe.save, exe.restore].every((p) => multiBinaryMode(deps.realPath(p)) === exe.mode);
}

function candidatePaths(prefix: string, mode: IptablesMode, part: Part): string[] {
  const withMode = joinName(prefix, mode, part);
  const plain = joinName(prefix, part);
  return [withMode, ...fallbackDirs.map((d) => join(d, withMode)), plain, ...fallbackDirs.map((d) => join(d, plain))];
}

export type Located = { ok: true; executables: Executables } | { ok: false; error: string };

/** Auto-detection for one family and mode. */
export async function locateExecutables(deps: SystemDeps, versions: VersionCache, family: IpFamily, mode: IptablesMode): Promise<Located> {
  const prefix = commandPrefix[family];
  const locate = async (part: Part) => {
    for (const candidate of candidatePaths(prefix, mode, part)) {
      const path = findPath(deps, candidate);
      if (!path) continue;
      const v = await versions.probe(path);
      if (v.ok && v.mode === mode) return { path, version: v.version };
    }
    return undefined;
  };
  // The three executables are independent: located side by side.
  const hits = await Promise.all(parts.map(locate));
  const found: Record<string, { path: string; version: string }> = {};
  const errors: string[] = [];
  parts.forEach((part, i) => {
    if (hits[i]) found[part] = hits[i];
    else errors.push(`could not locate executable '${joinName(prefix, part)}' with mode '${mode}'`);
  });
  if (errors.length) return { ok: false, error: `initialization of one or more executables failed: ${errors.join('\n')}` };
  return {
    ok: true,
    executables: { mode, iptables: found['']!.path, save: found.save!.path, restore: found.restore!.path, version: found.restore!.version },
  };
}

/** Explicit paths for one family: undefined when none are configured; a warning text when they cannot be used. */
export async function explicitExecutables(
  deps: SystemDeps,
  versions: VersionCache,
  family: IpFamily,
  config: IptablesExecutablesConfig,
): Promise<{ executables: Executables } | { warning: string } | undefined> {
  const prefix = commandPrefix[family];
  const names = parts.map((part) => joinName(prefix, part) as keyof IptablesExecutablesConfig);
  const paths = names.map((n) => config[n]);
  const set = paths.filter(Boolean);
  if (set.length === 0) return undefined;
  const listed = [...names].sort().map((n) => `${n}: '${config[n]}'`).join(', ');
  if (set.length !== 3) {
    const quoted = [...names].sort().map((n) => `'${n}'`);
    return {
      warning: `provided incomplete executables configuration: ${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)} must all be specified together; provided paths (${listed}) will be ignored and automatic executables detection will proceed`,
    };
  }
  const resolved: Array<{ name: string; path: string; probe: VersionProbe }> = [];
  const errors: string[] = [];
  for (const [i, name] of names.entries()) {
    const path = findPath(deps, paths[i]!);
    if (!path) {
      errors.push(`specified path '${paths[i]}' for executable '${name}' does not exist`);
      continue;
    }
    const probe = await versions.probe(path);
    if (!probe.ok) errors.push(`invalid executable at specified path '${paths[i]}' for '${name}': ${probe.error}`);
    resolved.push({ name, path, probe });
  }
  const modes = new Set(resolved.map((r) => (r.probe.ok ? r.probe.mode : 'unknown')));
  if (!errors.length && modes.size !== 1) {
    const list = resolved.map((r) => `${r.name}: ${r.path} (${r.probe.ok ? r.probe.mode : 'unknown'})`).sort().join(', ');
    errors.push(`executables are of mixed types; all must be of the same type ('nft' or 'legacy') [${list}]`);
  }
  if (errors.length) {
    return { warning: `failed to initialize executables from the provided paths; automatic detection will proceed: ${errors.join('\n')}` };
  }
  const [iptables, save, restore] = resolved as [(typeof resolved)[0], (typeof resolved)[0], (typeof resolved)[0]];
  const probe = restore.probe as Extract<VersionProbe, { ok: true }>;
  return {
    executables: { mode: probe.mode, iptables: iptables.path, save: save.path, restore: restore.path, version: probe.version, fromConfig: true },
  };
}

