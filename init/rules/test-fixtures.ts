// Hand-built environment profiles for the renderer's tests: no detection, no root.

import type { EnvironmentProfile, FamilyProfile, IpFamily } from '../profile/profile.ts';

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
