// The `excludePortsForIPs` grammar (pkg/transparentproxy/config/utils.go): entries of IPs/CIDRs,
// each entry possibly a comma list. Raw strings are kept for the rules (iptables
// normalises them); only the family decides where an address goes.
import { ConfigError } from './errors.ts';
import { parseGoCidr, parseGoIp } from './ip-address.ts';
import { commaItems } from './uid-exclusions.ts';

export type AddressFamily = 'ipv4' | 'ipv6';

const wrapper = 'parsing excluded outbound ports for IPs failed: invalid exclusion rule';

/** Family of one address (trimmed for validation, as Kuma); throws Kuma's message when invalid. */
export function excludedAddressFamily(address: string): AddressFamily {
  const trimmed = address.trim();
  const ip = parseGoCidr(trimmed) ?? parseGoIp(trimmed);
  if (!ip) {
    throw new ConfigError(
      `${wrapper}: invalid IP address: '${trimmed}'. Expected format: <ip> or <ip>/<cidr> (e.g., 10.0.0.1, 172.16.0.0/16, fe80::1, fe80::/10)`,
    );
  }
  return ip.isIPv4 ? 'ipv4' : 'ipv6';
}

/** The raw addresses of `family`, in order; validates every entry of both families. */
export function parseExcludePortsForIPs(entries: readonly string[], family: AddressFamily): string[] {
  const result: string[] = [];
  for (const entry of entries) {
    if (entry === '') throw new ConfigError('parsing excluded outbound ports for IPs failed: invalid exclusion rule: the rule cannot be empty');
    for (const address of commaItems(entry)) {
      if (excludedAddressFamily(address) === family) result.push(address);
    }
  }
  return result;
}
