// The kuma-init side of the traffic tests: the arguments under test, and
// install/uninstall inside a namespace through the CLI's own entry function,
// with the namespace's commands run via netnsDeps.
import { readFileSync, writeFileSync } from 'node:fs';
import type { CliIo } from '../../init/cli/io.ts';
import { runCli } from '../../init/cli/program.ts';
import { kumaDpPasswdLine, netnsDeps } from './netns-deps.ts';
import type { Netns } from './netns.ts';

/** Kuma's default kuma-dp user (5678), added to the namespace's view of /etc/passwd. */
export const KUMA_DP = { uid: 5678, gid: 5678 };

export interface FamilyAddresses {
  /** The app namespace's veth address. */
  app: string;
  /** The test host's veth address (a service and a nameserver listen there). */
  remote: string;
  /** A second test-host address, excluded from outbound redirection. */
  excludedRemote: string;
  /** A third test-host address, excluded (as a source) from inbound redirection. */
  excludedSource: string;
}

export type TrafficAddresses = Record<'ipv4' | 'ipv6', FamilyAddresses>;

/** `10.1.2.1` + `11` → `10.1.2.11`; `fd00:1:2::1` + `11` → `fd00:1:2::11`. */
export function withSuffix(addr: string, last: string): string {
  return addr.replace(/[0-9a-f]+$/i, last);
}

/**
 * `kuma-init install transparent-proxy` arguments: dual-stack, default ports,
 * one of each exclusion the tests exercise (outbound port 9000, inbound port
 * 9100, an outbound destination, an inbound source, `tcp:9090:4242`), and with
 * `dns` the capture of the nameservers in `configFile`'s resolv.conf.
 */
export function trafficArgs(backend: 'legacy' | 'nft', addrs: TrafficAddresses, configFile: string, opts: { dns: boolean }): string[] {
  return [
    '--config',
    configFile,
    '--iptables-mode',
    backend,
    '--exclude-inbound-ports',
    '9100',
    '--exclude-outbound-ports',
    '9000',
    '--exclude-inbound-ips',
    `${addrs.ipv4.excludedSource},${addrs.ipv6.excludedSource}`,
    '--exclude-outbound-ips',
    `${addrs.ipv4.excludedRemote},${addrs.ipv6.excludedRemote}`,
    '--exclude-outbound-ports-for-uids',
    'tcp:9090:4242',
    ...(opts.dns ? ['--redirect-dns'] : []),
  ];
}

/** A `--config` file pointing DNS capture at the test's own resolv.conf (no flag exists for it). */
export function writeTrafficConfigFile(path: string, resolvConfigPath: string): void {
  writeFileSync(path, `redirect:\n  dns:\n    resolvConfigPath: ${JSON.stringify(resolvConfigPath)}\n`);
}

function depsFor(ns: Netns) {
  return netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
}

/**
 * Runs a kuma-init command line in-process, exactly as bin/kuma-init.js does
 * (runCli: flags, config loading, detection, pre-flight, render, apply), with
 * the namespace as the system. Rejects with the output when the exit code is not 0.
 */
export async function kumaInit(ns: Netns, argv: readonly string[]): Promise<string> {
  let out = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    env: {},
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    euid: 0,
    platform: 'linux',
    system: depsFor(ns),
  };
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`kuma-init ${argv.join(' ')} exited ${code}: ${out.trim()}`);
  return out;
}

export function kumaInitInstall(ns: Netns, args: readonly string[]): Promise<string> {
  return kumaInit(ns, ['install', 'transparent-proxy', ...args]);
}

export function kumaInitUninstall(ns: Netns): Promise<string> {
  return kumaInit(ns, ['uninstall', 'transparent-proxy']);
}
