// The `redirect.vnet.networks` grammar `iface:CIDR` (pkg/transparentproxy/config/config.go): split
// on the first colon, one CIDR per interface (last wins), sorted by interface.
import { ConfigError } from './errors.ts';
import { parseGoCidr } from './ip-address.ts';
import type { AddressFamily } from './ip-exclusions.ts';

export interface VnetNetwork {
  /** Interface name; a trailing `+` is an iptables prefix match (`br+`). */
  iface: string;
  /** The CIDR as written. */
  cidr: string;
}

/** The networks of `family`, sorted by interface name; validates every entry of both families. */
export function parseVnetNetworks(networks: readonly string[], family: AddressFamily): VnetNetwork[] {
  const byIface = new Map<string, string>();
  for (const network of networks) {
    const colon = network.indexOf(':');
    if (colon < 0) throw new ConfigError(`invalid virtual network definition: ${network}`);
    const iface = network.slice(0, colon);
    const cidr = network.slice(colon + 1);
    const ip = parseGoCidr(cidr);
    if (!ip) throw new ConfigError(`invalid CIDR definition for ${cidr}: invalid CIDR address: ${cidr}`);
    if (ip.isIPv4 === (family === 'ipv4')) byIface.set(iface, cidr);
  }
  return [...byIface.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([iface, cidr]) => ({ iface, cidr }));
}
