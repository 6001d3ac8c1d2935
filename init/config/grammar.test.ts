// Kuma 2.13.10's value grammars and their exact messages (tproxy spec §1.2,
// §1.4, §1.5; pkg/transparentproxy/config/utils.go).
import { describe, expect, it } from 'vitest';
import { defaultConfig } from './config.ts';
import { applyExecutablesSpec, goCleanPath } from './executables.ts';
import { parseGoCidr, parseGoIp } from './ip-address.ts';
import { parseExcludePortsForIPs } from './ip-exclusions.ts';
import { parseIpFamilyMode } from './ip-family-mode.ts';
import { parsePort, parsePorts } from './ports.ts';
import { parseExcludePortsForUIDs } from './uid-exclusions.ts';
import { parseVnetNetworks } from './vnet.ts';
import { EXCLUDE_FOR_UIDS_ERROR_CASES, UIDS_PARSE_FAILED } from '../../test-support/init/kumactl-goldens.ts';

const portMessage = (s: string) => `value '${s}' is not a valid port (uint16 in the range [1, 65535])`;

describe('Port and Ports', () => {
  it.each([
    ['1', 1],
    ['65535', 65535],
    ['015001', 15001],
  ])('accepts %s', (s, n) => expect(parsePort(s)).toBe(n));

  it.each(['0', '65536', '-1', '+1', ' 1', '1.0', '', '"15001"', '0x10'])('rejects %j with Kuma message', (s) =>
    expect(() => parsePort(s)).toThrow(portMessage(s)),
  );

  it('trims items, drops blanks, replaces', () => {
    expect(parsePorts(' 1, 2,,3 ,')).toEqual([1, 2, 3]);
    expect(parsePorts('   ')).toEqual([]);
    expect(() => parsePorts('1,x')).toThrow(portMessage('x'));
  });
});

describe('excludePortsForUIDs grammar', () => {
  it('splits entries into one exclusion per protocol with iptables ranges', () => {
    expect(parseExcludePortsForUIDs(['53,3000-5000:106-108'])).toEqual([
      { protocol: 'tcp', ports: '53,3000:5000', uids: '106:108' },
      { protocol: 'udp', ports: '53,3000:5000', uids: '106:108' },
    ]);
    expect(parseExcludePortsForUIDs(['*:*:0', 'tcp:*:0', '123', 'UDP :22:1000'])).toEqual([
      { protocol: 'tcp', ports: '1:65535', uids: '0' },
      { protocol: 'udp', ports: '1:65535', uids: '0' },
      { protocol: 'tcp', ports: '1:65535', uids: '0' },
      { protocol: 'tcp', ports: '1:65535', uids: '123' },
      { protocol: 'udp', ports: '1:65535', uids: '123' },
      { protocol: 'udp', ports: '22', uids: '1000' },
    ]);
    expect(parseExcludePortsForUIDs([':0'])).toEqual([
      { protocol: 'tcp', ports: '1:65535', uids: '0' },
      { protocol: 'udp', ports: '1:65535', uids: '0' },
    ]);
  });

  it.each<readonly [string, string]>([
    ...EXCLUDE_FOR_UIDS_ERROR_CASES, // Kuma's install_transparent_proxy_test.go error table
    // the remaining checks
    ['1:2:3:4', "invalid format for excluding ports by UIDs: '1:2:3:4'. Expected format: <protocol:>?<ports:>?<uids>"],
    ['*', "wildcard '*' is not allowed for UIDs"],
    ['70000', "invalid UID range: validation failed for value or range '70000': invalid uint16 value: '70000'"],
    ['1- 2:3', "invalid port range: validation failed for value or range '1- 2': invalid uint16 value: ' 2'"],
  ])('%j → %s', (entry, message) => expect(() => parseExcludePortsForUIDs([entry])).toThrow(UIDS_PARSE_FAILED + message));

  it('accepts an empty entry as Kuma does (blank comma items are dropped before validation)', () => {
    expect(parseExcludePortsForUIDs([''])).toEqual([
      { protocol: 'tcp', ports: '1:65535', uids: '' },
      { protocol: 'udp', ports: '1:65535', uids: '' },
    ]);
  });

  it('checks in Kuma order: wildcard UID before a bad port', () => {
    expect(() => parseExcludePortsForUIDs(['x:*'])).toThrow("wildcard '*' is not allowed for UIDs");
  });

  // Our deviation (docs/tproxy-config.md): ranges iptables refuses at restore time fail here.
  it.each([
    ['tcp:4-4:1', "port range '4-4' in 'tcp:4-4:1' is a single port, which iptables' multiport match refuses as a range: write '4'"],
    ['53,9-3:1', "port range '9-3' in '53,9-3:1' is reversed, which iptables refuses: write '3-9'"],
    ['9-3', "UID range '9-3' in '9-3' is reversed, which iptables refuses: write '3-9'"],
    ['udp:1000-2000:200-100', "UID range '200-100' in 'udp:1000-2000:200-100' is reversed, which iptables refuses: write '100-200'"],
  ])('refuses %j, which iptables would refuse', (entry, message) => {
    expect(() => parseExcludePortsForUIDs([entry])).toThrow(UIDS_PARSE_FAILED + message);
  });

  it('keeps the ranges iptables accepts: a one-UID range, ordered ranges', () => {
    expect(parseExcludePortsForUIDs(['tcp:3-9,20:4-4', '0-65535'])).toEqual([
      { protocol: 'tcp', ports: '3:9,20', uids: '4:4' },
      { protocol: 'tcp', ports: '1:65535', uids: '0:65535' },
      { protocol: 'udp', ports: '1:65535', uids: '0:65535' },
    ]);
  });

  it("runs Kuma's checks first: a bad protocol is reported before a reversed range", () => {
    expect(() => parseExcludePortsForUIDs(['http:9-3:1'])).toThrow("invalid or unsupported protocol: 'http'");
  });
});

describe('Go IP parsing', () => {
  it.each([
    ['10.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:a00:1', true],
    ['fe80::1', false],
    ['::', false],
    ['1:2:3:4:5:6:7::', false],
    ['1:2:3:4:5:6:1.2.3.4', false],
  ])('%s is IPv4: %s', (s, v4) => expect(parseGoIp(s)?.isIPv4).toBe(v4));

  it.each(['010.0.0.1', '1.2.3', '256.0.0.1', 'fe80::1%eth0', '1:2::3:4:5:6:7:8', ':::', '12345::', 'x', ''])('rejects %j', (s) =>
    expect(parseGoIp(s)).toBeUndefined(),
  );

  it('CIDR prefix length bounded by the literal family', () => {
    expect(parseGoCidr('10.0.0.0/32')?.isIPv4).toBe(true);
    expect(parseGoCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseGoCidr('::ffff:10.0.0.0/104')?.isIPv4).toBe(true);
    expect(parseGoCidr('fe80::/010')?.isIPv4).toBe(false);
    expect(parseGoCidr('10.0.0.1')).toBeUndefined();
  });
});

describe('excludePortsForIPs grammar', () => {
  const entries = ['10.0.0.1, fe80::1', '172.32.16.8/16,,::ffff:1.2.3.4'];
  it('keeps raw items per family and validates all of them', () => {
    expect(parseExcludePortsForIPs(entries, 'ipv4')).toEqual(['10.0.0.1', '172.32.16.8/16', '::ffff:1.2.3.4']);
    expect(parseExcludePortsForIPs(entries, 'ipv6')).toEqual([' fe80::1']);
  });
  it('errors with Kuma messages', () => {
    expect(() => parseExcludePortsForIPs([''], 'ipv4')).toThrow(
      'parsing excluded outbound ports for IPs failed: invalid exclusion rule: the rule cannot be empty',
    );
    expect(() => parseExcludePortsForIPs(['fe80::1, nope'], 'ipv4')).toThrow(
      "parsing excluded outbound ports for IPs failed: invalid exclusion rule: invalid IP address: 'nope'. Expected format: <ip> or <ip>/<cidr> (e.g., 10.0.0.1, 172.16.0.0/16, fe80::1, fe80::/10)",
    );
  });
});

describe('vnet grammar', () => {
  const networks = ['docker0:172.17.0.0/16', 'br+:172.18.0.0/16', 'iface:::1/64', 'br+:10.0.0.0/8', 'a:10.1.0.0/16'];
  it('splits on the first colon, last wins per interface, sorted by interface', () => {
    expect(parseVnetNetworks(networks, 'ipv4')).toEqual([
      { iface: 'a', cidr: '10.1.0.0/16' },
      { iface: 'br+', cidr: '10.0.0.0/8' },
      { iface: 'docker0', cidr: '172.17.0.0/16' },
    ]);
    expect(parseVnetNetworks(networks, 'ipv6')).toEqual([{ iface: 'iface', cidr: '::1/64' }]);
  });
  it('errors with Kuma messages', () => {
    expect(() => parseVnetNetworks(['docker0'], 'ipv4')).toThrow('invalid virtual network definition: docker0');
    expect(() => parseVnetNetworks(['docker0:172.17.0.1'], 'ipv6')).toThrow(
      'invalid CIDR definition for 172.17.0.1: invalid CIDR address: 172.17.0.1',
    );
  });
});

describe('ipFamilyMode', () => {
  it('matches case-insensitively and stores lower case', () => {
    expect(parseIpFamilyMode('IPv4')).toBe('ipv4');
    expect(parseIpFamilyMode('DualStack')).toBe('dualstack');
    expect(parseIpFamilyMode('')).toBe('dualstack');
    expect(() => parseIpFamilyMode('ipv6')).toThrow("must be one of 'dualstack' or 'ipv4'");
  });
});

describe('iptables executables', () => {
  const empty = defaultConfig().iptablesExecutables;
  it('merges per name and cleans paths like filepath.Clean', () => {
    const first = applyExecutablesSpec(empty, 'iptables:/usr/sbin//iptables/,ip6tables:/a/../b');
    const second = applyExecutablesSpec(first, 'iptables-save:x/./y');
    expect(second).toEqual({ ...empty, iptables: '/usr/sbin/iptables', ip6tables: '/b', 'iptables-save': 'x/y' });
    expect(goCleanPath('')).toBe('.');
  });
  it('reports every bad block, one per line', () => {
    expect(() => applyExecutablesSpec(empty, 'foo,bar:/x,iptables:/ok')).toThrow(
      [
        "invalid format in 'foo': expected '<name>:<path>' (e.g., 'iptables:/usr/sbin/iptables' or 'ip6tables-save:/usr/sbin/ip6tables-save')",
        "unsupported executable name 'bar': valid names are 'ip6tables', 'ip6tables-restore', 'ip6tables-save', 'iptables', 'iptables-restore', and 'iptables-save'",
      ].join('\n'),
    );
  });
});
