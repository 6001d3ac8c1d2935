// SystemDeps fed with recorded command outputs, for unit tests without root:
// `respond` maps a command line (`/usr/sbin/iptables-nft -m owner -h`) to its
// result; every call is recorded in order.
import type { NetInterface, SystemDeps } from '../../init/system/deps.ts';
import type { RunResult } from '../../init/system/run.ts';

export interface RecordedSystem extends SystemDeps {
  calls: string[];
}

export function recordedSystem(opts: {
  executables: readonly string[];
  respond: (commandLine: string, input?: string) => Partial<RunResult> | undefined;
  files?: Record<string, string>;
  interfaces?: NetInterface[];
  /** Symlink targets (`/usr/sbin/iptables-nft` → `/usr/sbin/xtables-nft-multi`). */
  realPaths?: Record<string, string>;
}): RecordedSystem {
  const calls: string[] = [];
  return {
    calls,
    run: (cmd, args, o) => {
      const line = [cmd, ...args].join(' ');
      calls.push(line);
      const r = opts.respond(line, o?.input);
      return Promise.resolve({ code: 127, stdout: '', stderr: `not recorded: ${line}`, ...r });
    },
    readFile: (path) => {
      const text = opts.files?.[path];
      if (text === undefined) return Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' }));
      return Promise.resolve(text);
    },
    writeFile: () => Promise.resolve(),
    fileExists: (path) => opts.files?.[path] !== undefined,
    isExecutable: (path) => opts.executables.includes(path),
    realPath: (path) => opts.realPaths?.[path] ?? path,
    pathDirs: () => ['/usr/local/sbin', '/usr/sbin', '/usr/bin'],
    interfaces: () =>
      Promise.resolve(opts.interfaces ?? [
        { name: 'lo', loopback: true, addresses: [{ address: '127.0.0.1', family: 'IPv4' }, { address: '::1', family: 'IPv6' }] },
        { name: 'eth0', loopback: false, addresses: [{ address: '10.244.0.5', family: 'IPv4' }, { address: 'fd00::5', family: 'IPv6' }] },
      ]),
    kernelRelease: () => Promise.resolve('6.1.0-test'),
    env: {},
  };
}

/** Debian 12's iptables 1.8.9 binaries (nft and legacy, plain names pointing at nft). */
export const debianExecutables = ['', '-save', '-restore'].flatMap((part) =>
  ['iptables', 'ip6tables'].flatMap((p) => ['-nft', '-legacy', ''].map((m) => `/usr/sbin/${p}${m}${part}`)),
);

/** Every name is a link to one multi-call binary per backend (the plain names to nft). */
const debianRealPaths = Object.fromEntries(
  debianExecutables.map((path) => [path, `/usr/sbin/xtables-${path.includes('-legacy') ? 'legacy' : 'nft'}-multi`]),
);

/** `--version` output of a Debian 12 binary. */
export function debianVersion(commandLine: string): Partial<RunResult> | undefined {
  const m = /^\/usr\/sbin\/(ip6?tables)(-nft|-legacy)?(-save|-restore)? --version$/.exec(commandLine);
  if (!m) return undefined;
  return { code: 0, stdout: `${m[1]}${m[3] ?? ''} v1.8.9 (${m[2] === '-legacy' ? 'legacy' : 'nf_tables'})\n` };
}

export const emptyNatSave = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';

export const conntrackMissing = "iptables-nft-restore v1.8.9 (nf_tables): Couldn't load match `conntrack':No such file or directory\n\nError occurred at line: 4\n";

export interface BackendState {
  /** nat holds a rule that is not Kuma's. */
  existing?: boolean;
  docker?: boolean;
  /** `-m <m> -h` fails for these (and so does the one-shot module probe). */
  missingModules?: string[];
  /** `restore --test` of rendered rules fails with a missing conntrack match. */
  rejectsRules?: boolean;
}

/**
 * A Debian-12-like system with recorded iptables 1.8.9 answers for each backend's state.
 * Legacy's tables (raw and nat, as its save prints) exist only when a legacy state is given:
 * otherwise /proc/net/ip(6)_tables_names is absent, as before the legacy module's first use.
 */
export function debianSystem(
  state: { nft?: BackendState; legacy?: BackendState; ip6?: string },
  files: Record<string, string> = {},
): RecordedSystem {
  const legacyTables: Record<string, string> = state.legacy ? { '/proc/net/ip_tables_names': 'nat\nraw\n', '/proc/net/ip6_tables_names': 'nat\nraw\n' } : {};
  return recordedSystem({
    executables: debianExecutables,
    realPaths: debianRealPaths,
    files: { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\nkuma-dp:x:5678:5678::/:/bin/sh\n', ...legacyTables, ...files },
    respond: (line, input) => {
      const version = debianVersion(line);
      if (version) return version;
      if (line === 'ip -6 addr add ::6/128 dev lo') return state.ip6 === undefined ? { code: 0 } : { code: 2, stderr: state.ip6 };
      const m = /^\/usr\/sbin\/ip6?tables-(nft|legacy)(-save|-restore)?(?: (.*))?$/.exec(line);
      if (!m) return undefined;
      const b = state[m[1] as 'nft' | 'legacy'] ?? {};
      const [, , part = '', args = ''] = m;
      const nat = emptyNatSave.replace('COMMIT', `${b.existing ? '-A OUTPUT -j ACCEPT\n' : ''}${b.docker ? ':DOCKER_OUTPUT - [0:0]\n' : ''}COMMIT`);
      if (part === '') {
        const mod = /^-m (\w+) -h$/.exec(args);
        return mod ? { code: b.missingModules?.includes(mod[1]!) ? 2 : 0 } : undefined;
      }
      if (part === '-save') {
        if (args === '') return { code: 0, stdout: `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n${nat}` };
        const table = /^-t (\w+)$/.exec(args)?.[1];
        return table === 'nat' ? { code: 0, stdout: nat } : { code: 0, stdout: `*${table}\nCOMMIT\n` };
      }
      if (!args.endsWith('--test')) return undefined;
      const moduleProbe = input?.includes('--uid-owner 0 ') ?? false;
      const fails = moduleProbe ? (b.missingModules?.length ?? 0) > 0 : b.rejectsRules;
      return fails ? { code: 2, stderr: conntrackMissing } : { code: 0 };
    },
  });
}
