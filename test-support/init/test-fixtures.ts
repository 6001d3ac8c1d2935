// Hand-built environment profiles for the renderer's tests: no detection, no root.

import { defaultConfig, type TransparentProxyConfig } from '../../init/config/config.ts';
import type { EnvironmentProfile, FamilyProfile, IpFamily } from '../../init/profile/profile.ts';
import type { FamilyPlan } from '../../init/rules/family-plan.ts';
import { planRules } from '../../init/rules/plan.ts';

const fullFamily = (family: IpFamily): FamilyProfile => {
  const bin = family === 'ipv4' ? 'iptables' : 'ip6tables';
  return {
    executables: {
      mode: 'nft',
      iptables: `/usr/sbin/${bin}-nft`,
      save: `/usr/sbin/${bin}-nft-save`,
      restore: `/usr/sbin/${bin}-nft-restore`,
      version: '1.8.9',
    },
    modules: { owner: true, tcp: true, udp: true, comment: true, conntrack: true, multiport: true },
    tables: { nat: true, raw: true, mangle: true },
    dockerOutput: false,
    existingRules: false,
  };
};

/** A Debian-12-like pod: everything available, kuma-dp is UID 5678, one IPv4 and one IPv6 resolver. */
export function fullProfile(overrides: Partial<EnvironmentProfile> = {}): EnvironmentProfile {
  return {
    loopbackName: 'lo',
    users: [
      { name: 'root', uid: 0 },
      { name: 'kuma-dp', uid: 5678 },
      { name: 'envoy', uid: 101 },
    ],
    nameservers: ['10.96.0.10', 'fd00:10:96::a'],
    ipv6Usable: true,
    ipv4: fullFamily('ipv4'),
    ipv6: fullFamily('ipv6'),
    warnings: [],
    ...overrides,
  };
}

/** What a dry run sees without any working iptables: no executables, no module, no table. */
export function noIptablesFamily(): FamilyProfile {
  return {
    modules: { owner: false, tcp: false, udp: false, comment: false, conntrack: false, multiport: false },
    tables: { nat: false, raw: false, mangle: false },
    dockerOutput: false,
    existingRules: false,
  };
}

/** Changes one family's profile. */
export function withFamily(
  profile: EnvironmentProfile,
  family: IpFamily,
  change: (fp: FamilyProfile) => FamilyProfile,
): EnvironmentProfile {
  return { ...profile, [family]: change(profile[family]) };
}

/** A named configuration rendered into `testdata/<name>.golden` and syntax-checked in a netns. */
export interface NamedCase {
  name: string;
  config: TransparentProxyConfig;
  profile: EnvironmentProfile;
}

const ipv4Only = (): EnvironmentProfile => fullProfile({ ipv6Usable: false });

function named(
  name: string,
  change: (c: TransparentProxyConfig) => void,
  profile: EnvironmentProfile = ipv4Only(),
): NamedCase {
  const config = defaultConfig();
  change(config);
  return { name, config, profile };
}

const dnsOn = (c: TransparentProxyConfig) => {
  c.redirect.dns.enabled = true;
};
const captureAll = (c: TransparentProxyConfig) => {
  c.redirect.dns.enabled = true;
  c.redirect.dns.captureAll = true;
};

export const namedCases: readonly NamedCase[] = [
  named('default', () => {}),
  named('ipv6', () => {}, fullProfile()),
  named('ipv4-mode', (c) => (c.ipFamilyMode = 'ipv4'), fullProfile()),
  named('dns', dnsOn, fullProfile({ nameservers: ['10.96.0.10', 'FD00:10:96:0:0::A', '127.0.0.11'] })),
  named('dns-skip-conntrack-zone-split', (c) => {
    dnsOn(c);
    c.redirect.dns.skipConntrackZoneSplit = true;
  }),
  named('dns-no-conntrack-module', dnsOn, withFamily(ipv4Only(), 'ipv4', (fp) => ({ ...fp, modules: { ...fp.modules, conntrack: false } }))),
  named('dns-docker-output', dnsOn, withFamily(ipv4Only(), 'ipv4', (fp) => ({ ...fp, dockerOutput: true }))),
  named('dns-no-ipv6-nameserver', dnsOn, fullProfile({ nameservers: ['10.96.0.10'] })),
  named('dns-capture-all', captureAll, fullProfile()),
  named('dns-capture-all-docker-output', captureAll, withFamily(ipv4Only(), 'ipv4', (fp) => ({ ...fp, dockerOutput: true }))),
  named('dns-port', (c) => {
    dnsOn(c);
    c.redirect.dns.port = 25053;
  }),
  named('ports', (c) => {
    c.redirect.inbound.port = 25006;
    c.redirect.outbound.port = 25001;
  }),
  named('excluded-ports', (c) => {
    c.redirect.inbound.excludePorts = [9000, 9901];
    c.redirect.outbound.excludePorts = [5432, 6379];
  }),
  named('include-ports', (c) => {
    c.redirect.inbound.includePorts = [8080, 8443];
    c.redirect.inbound.excludePorts = [9000];
    c.redirect.outbound.includePorts = [80, 443];
    c.redirect.outbound.excludePorts = [5432];
  }),
  named(
    'excluded-ips',
    (c) => {
      c.redirect.inbound.excludePortsForIPs = ['10.1.0.0/16,fd00:1::/64', '192.168.1.1'];
      c.redirect.outbound.excludePortsForIPs = ['169.254.169.254', 'fd00:ec2::254', '10.2.0.0/16'];
    },
    fullProfile(),
  ),
  named('excluded-uids', (c) => {
    c.redirect.outbound.excludePortsForUIDs = ['tcp:22,80-90:1000-1002', 'udp:53:1005', '106'];
  }),
  named('excluded-uids-over-15-ports', (c) => {
    c.redirect.outbound.excludePortsForUIDs = ['tcp:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,20-30,40-50:1000'];
  }),
  named('vnet', (c) => (c.redirect.vnet.networks = ['docker0:172.17.0.0/16', 'br+:172.18.0.0/16', 'br+:172.19.0.0/16', 'veth0:fd00:17::/64']), fullProfile()),
  named('insert-instead-of-append', (c) => {
    c.redirect.inbound.insertRedirectInsteadOfAppend = true;
    c.redirect.outbound.insertRedirectInsteadOfAppend = true;
  }),
  named('drop-invalid-packets', (c) => (c.dropInvalidPackets = true), fullProfile()),
  named('drop-invalid-packets-no-mangle', (c) => (c.dropInvalidPackets = true), withFamily(ipv4Only(), 'ipv4', (fp) => ({ ...fp, tables: { ...fp.tables, mangle: false } }))),
  named('logs', (c) => {
    c.log.enabled = true;
    c.log.level = 4;
  }),
  named('logs-with-vnet', (c) => {
    c.log.enabled = true;
    c.redirect.vnet.networks = ['docker0:172.17.0.0/16'];
  }),
  named('comments-disabled', (c) => (c.comments.disabled = true)),
  named('no-comment-module', () => {}, withFamily(ipv4Only(), 'ipv4', (fp) => ({ ...fp, modules: { ...fp.modules, comment: false } }))),
  named('inbound-disabled', (c) => (c.redirect.inbound.enabled = false)),
  named('outbound-disabled', (c) => (c.redirect.outbound.enabled = false)),
  named('kuma-dp-user-by-name', (c) => (c.kumaDPUser = 'envoy'), ipv4Only()),
  // CNI mode uses kumaDPUser verbatim (5678 when empty) without looking it up on the host.
  named('cni-mode', (c) => (c.cniMode = true), fullProfile({ ipv6Usable: false, users: [] })),
  named('verbose', (c) => {
    c.verbose = true;
    dnsOn(c);
    c.dropInvalidPackets = true;
  }),
  named('loopback-name', () => {}, fullProfile({ ipv6Usable: false, loopbackName: 'lo0' })),
];

/** The plan of one family for the default config changed by `change`. */
export function familyPlan(
  change: (c: TransparentProxyConfig) => void = () => {},
  family: IpFamily = 'ipv4',
  profile: EnvironmentProfile = fullProfile(),
): FamilyPlan {
  const config = defaultConfig();
  change(config);
  const plan = planRules(config, profile)[family];
  if (!plan) throw new Error(`no ${family} plan for this profile`);
  return plan;
}
