// SystemDeps fed with recorded command outputs, for unit tests without root:
// `respond` maps a command line (`/usr/sbin/iptables-nft -m owner -h`) to its
// result; every call is recorded in order.
import type { NetInterface, SystemDeps } from '../../profile/deps.ts';
import type { RunResult } from '../../exec/run.ts';

export interface RecordedSystem extends SystemDeps {
  calls: string[];
}

export function recordedSystem(opts: {
  executables: readonly string[];
  respond: (commandLine: string, input?: string) => Partial<RunResult> | undefined;
  files?: Record<string, string>;
  interfaces?: NetInterface[];
}): RecordedSystem {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args, o) => {
      const line = [cmd, ...args].join(' ');
      calls.push(line);
      const r = opts.respond(line, o?.input);
      return { code: 127, stdout: '', stderr: `not recorded: ${line}`, ...r };
    },
    readFile: async (path) => {
      const text = opts.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    writeFile: async () => undefined,
    fileExists: (path) => opts.files?.[path] !== undefined,
    isExecutable: (path) => opts.executables.includes(path),
    pathDirs: () => ['/usr/local/sbin', '/usr/sbin', '/usr/bin'],
    interfaces: async () =>
      opts.interfaces ?? [
        { name: 'lo', loopback: true, addresses: [{ address: '127.0.0.1', family: 'IPv4' }, { address: '::1', family: 'IPv6' }] },
        { name: 'eth0', loopback: false, addresses: [{ address: '10.244.0.5', family: 'IPv4' }, { address: 'fd00::5', family: 'IPv6' }] },
      ],
    kernelRelease: async () => '6.1.0-test',
    env: {},
  };
}

/** Debian 12's iptables 1.8.9 binaries (nft and legacy, plain names pointing at nft). */
export const debianExecutables = ['', '-save', '-restore'].flatMap((part) =>
  ['iptables', 'ip6tables'].flatMap((p) => ['-nft', '-legacy', ''].map((m) => `/usr/sbin/${p}${m}${part}`)),
);

/** `--version` output of a Debian 12 binary. */
export function debianVersion(commandLine: string): Partial<RunResult> | undefined {
  const m = /^\/usr\/sbin\/(ip6?tables)(-nft|-legacy)?(-save|-restore)? --version$/.exec(commandLine);
  if (!m) return undefined;
  return { code: 0, stdout: `${m[1]}${m[3] ?? ''} v1.8.9 (${m[2] === '-legacy' ? 'legacy' : 'nf_tables'})\n` };
}

export const emptyNatSave = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';
