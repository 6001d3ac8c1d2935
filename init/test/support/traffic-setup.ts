// The kuma-init side of the traffic tests: the configuration under test and
// install/uninstall inside a namespace through the real path the CLI takes
// (config → detectProfile → renderRules → install), with the namespace's
// commands run via netnsDeps.
import { defaultConfig, type TransparentProxyConfig } from '../../config/config.ts';
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
 * Dual-stack, default ports, with one of each exclusion the tests exercise:
 * outbound port 9000, inbound port 9100, outbound destination and inbound
 * source addresses, `tcp:9090:4242`, and DNS capture of the test's resolv.conf.
 */
export function trafficConfig(backend: 'legacy' | 'nft', addrs: TrafficAddresses, resolvConfigPath: string): TransparentProxyConfig {
  const config = defaultConfig();
  config.iptablesMode = backend;
  config.redirect.inbound.excludePorts = [9100];
  config.redirect.inbound.excludePortsForIPs = [addrs.ipv4.excludedSource, addrs.ipv6.excludedSource];
  config.redirect.outbound.excludePorts = [9000];
  config.redirect.outbound.excludePortsForIPs = [addrs.ipv4.excludedRemote, addrs.ipv6.excludedRemote];
  config.redirect.outbound.excludePortsForUIDs = ['tcp:9090:4242'];
  config.redirect.dns = { ...config.redirect.dns, enabled: true, resolvConfigPath };
  return config;
}

function depsFor(ns: Netns) {
  return netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
}

export async function kumaInitInstall(ns: Netns, config: TransparentProxyConfig): Promise<void> {
  const deps = depsFor(ns);
  const profile = await detectProfile(config, deps);
  await install(config, profile, renderRules(config, profile), undefined, deps);
}

export async function kumaInitUninstall(ns: Netns, config: TransparentProxyConfig): Promise<void> {
  const deps = depsFor(ns);
  await uninstall(config, await detectProfile(config, deps), undefined, deps);
}
