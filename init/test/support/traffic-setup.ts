// The kuma-init side of the traffic tests: the arguments under test and
// install/uninstall inside a namespace through the real path the CLI takes
// (argv → loadInstallConfig → detectProfile → renderRules → install), with
// the namespace's commands run via netnsDeps.
import { readFileSync, writeFileSync } from 'node:fs';
import type { TransparentProxyConfig } from '../../config/config.ts';
import { loadInstallConfig } from '../../config/load-install-config.ts';
import { detectProfile } from '../../profile/detect.ts';
import { renderRules } from '../../rules/render.ts';
import { install } from '../../exec/install.ts';
import { uninstall } from '../../exec/uninstall.ts';
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

/** The install command's own loader (flags, --config files; no env vars, root, Linux). */
export function configFromArgs(argv: readonly string[]): TransparentProxyConfig {
  const loaded = loadInstallConfig({
    argv,
    env: {},
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    euid: 0,
    platform: 'linux',
  });
  if (loaded.kind !== 'config') throw new Error('unexpected --help');
  return loaded.config;
}

function depsFor(ns: Netns) {
  return netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
}

export async function kumaInitInstall(ns: Netns, argv: readonly string[]): Promise<void> {
  const config = configFromArgs(argv);
  const deps = depsFor(ns);
  const profile = await detectProfile(config, deps);
  await install(config, profile, renderRules(config, profile), undefined, deps);
}

export async function kumaInitUninstall(ns: Netns, argv: readonly string[]): Promise<void> {
  const config = configFromArgs(argv);
  const deps = depsFor(ns);
  await uninstall(config, await detectProfile(config, deps), undefined, deps);
}
