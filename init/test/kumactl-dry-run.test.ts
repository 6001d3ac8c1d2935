// Kuma 2.13.10's `kumactl install transparent-proxy --dry-run` goldens
// (app/kumactl/cmd/install/testdata), reproduced with the normalisation of
// Kuma's install_transparent_proxy_test.go. Kuma runs these without usable
// iptables, so the profile has no executables: no comments, no conntrack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import type { EnvironmentProfile } from '../profile/profile.ts';
import { formatDryRun } from '../rules/dry-run.ts';
import { renderRules } from '../rules/render.ts';
import { noIptablesFamily } from '../rules/test-fixtures.ts';

/** A dry run in Kuma's CI: non-root, so no iptables answers; root is UID 0. */
const kumaCiProfile: EnvironmentProfile = {
  loopbackName: 'lo',
  users: [{ name: 'root', uid: 0 }],
  nameservers: [],
  ipv6Usable: false,
  ipv4: noIptablesFamily(),
  ipv6: noIptablesFamily(),
  warnings: [],
};

const CONNTRACK_WARNING = "conntrack zone splitting is disabled. This requires the 'conntrack' iptables module";

/** Kuma's WithTransform: placeholders for environment-dependent parts. */
function normalise(stdout: string): string {
  return stdout
    .replace(/-o ([^ ]+)/g, '-o ifPlaceholder')
    .replace(/-m comment --comment ".*?" /g, '')
    .replace(
      /^-I OUTPUT (\d+) -p udp --dport 53 -m owner --uid-owner (\d+) -j (\w+)$/gm,
      '-I OUTPUT $1 -p udp --dport 53 -m owner --uid-owner $2 -j dnsJumpTargetPlaceholder',
    );
}

interface Case {
  name: string;
  /** Kuma's extra args after `install transparent-proxy --dry-run --ip-family-mode ipv4`. */
  args: string[];
  configure: (c: TransparentProxyConfig) => void;
  golden: string;
  /** A warning Kuma's case demands on stderr; otherwise stderr must be empty. */
  warning?: string;
}

const dnsAll = (c: TransparentProxyConfig) => {
  c.kumaDPUser = '0';
  c.redirect.dns.captureAll = true;
  c.redirect.dns.enabled = true; // kumactl sets it after loading when captureAll is on
  c.redirect.dns.port = 12345;
};
const overrides = (c: TransparentProxyConfig) => {
  c.kumaDPUser = 'root';
  c.redirect.outbound.port = 12345;
  c.redirect.inbound.port = 12346;
  c.redirect.outbound.excludePorts = [2000, 2001];
  c.redirect.inbound.excludePorts = [1000, 1001];
};
const excludedPortsArgs = [
  '--exclude-outbound-ports-for-uids', 'tcp:1900,1902,1000-2000:106-108',
  '--exclude-outbound-ports-for-uids', 'tcp:2900,2902,3000-5000:203',
  '--exclude-outbound-ports-for-uids', 'udp:3900,3902,4000-6000:303',
];
const uidExclusions = (...entries: string[]) => (c: TransparentProxyConfig) => {
  c.kumaDPUser = 'root';
  c.redirect.outbound.excludePortsForUIDs = entries;
};

const cases: Case[] = [
  {
    name: 'defaults with username',
    args: ['--kuma-dp-user', 'root'],
    configure: (c) => (c.kumaDPUser = 'root'),
    golden: 'install-transparent-proxy.defaults.golden.txt',
  },
  {
    name: 'defaults with user id',
    args: ['--kuma-dp-user', '0'],
    configure: (c) => (c.kumaDPUser = '0'),
    golden: 'install-transparent-proxy.defaults.golden.txt',
  },
  {
    name: 'DNS redirected when no conntrack module present',
    args: ['--kuma-dp-user', '0', '--redirect-all-dns-traffic', '--redirect-dns-port', '12345'],
    configure: dnsAll,
    golden: 'install-transparent-proxy.dns.no-conntrack.golden.txt',
    warning: CONNTRACK_WARNING,
  },
  {
    name: 'DNS redirected without conntrack zone splitting',
    args: ['--kuma-dp-user', '0', '--redirect-all-dns-traffic', '--redirect-dns-port', '12345', '--skip-dns-conntrack-zone-split'],
    configure: (c) => {
      dnsAll(c);
      c.redirect.dns.skipConntrackZoneSplit = true;
    },
    golden: 'install-transparent-proxy.dns.no-conntrack.golden.txt',
  },
  {
    name: 'overrides',
    args: ['--kuma-dp-user', 'root', '--redirect-outbound-port', '12345', '--redirect-inbound-port', '12346', '--exclude-outbound-ports', '2000,2001', '--exclude-inbound-ports', '1000,1001'],
    configure: overrides,
    golden: 'install-transparent-proxy.overrides.golden.txt',
  },
  {
    name: 'ipv6 disabled',
    args: ['--kuma-dp-user', 'root', '--redirect-outbound-port', '12345', '--redirect-inbound-port', '12346', '--ip-family-mode', 'ipv4', '--exclude-outbound-ports', '2000,2001', '--exclude-inbound-ports', '1000,1001'],
    configure: overrides,
    golden: 'install-transparent-proxy.overrides.golden.txt',
  },
  {
    name: 'outbound exclude ports for uids',
    args: ['--kuma-dp-user', 'root', ...excludedPortsArgs],
    configure: uidExclusions('tcp:1900,1902,1000-2000:106-108', 'tcp:2900,2902,3000-5000:203', 'udp:3900,3902,4000-6000:303'),
    golden: 'install-transparent-proxy.excludedports.txt',
  },
  {
    name: 'outbound exclude ports for uids wildcard',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '*:*:0'],
    configure: uidExclusions('*:*:0'),
    golden: 'install-transparent-proxy.excludedports_wildcards.txt',
  },
  {
    name: 'outbound exclude ports for uids, one protocol',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', 'tcp:*:0'],
    configure: uidExclusions('tcp:*:0'),
    golden: 'install-transparent-proxy.excludedports_allprotos.txt',
  },
  {
    name: 'outbound exclude ports for uids, only uid',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '123'],
    configure: uidExclusions('123'),
    golden: 'install-transparent-proxy.excludedports_onlyuid.txt',
  },
  {
    name: 'outbound exclude ports (simpler)',
    args: ['--kuma-dp-user', 'root', ...excludedPortsArgs],
    configure: uidExclusions('tcp:1900,1902,1000-2000:106-108', 'tcp:2900,2902,3000-5000:203', 'udp:3900,3902,4000-6000:303'),
    golden: 'install-transparent-proxy.excludedports_simpler.txt',
  },
];

function dryRun(configure: (c: TransparentProxyConfig) => void) {
  const config = defaultConfig();
  config.ipFamilyMode = 'ipv4';
  config.dryRun = true;
  configure(config);
  const rendered = renderRules(config, kumaCiProfile);
  return { stdout: formatDryRun(rendered), stderr: rendered.warnings };
}

describe.skipIf(missingConformance('kumactl'))('kumactl install transparent-proxy --dry-run goldens (Kuma 2.13.10)', () => {
  it.each(cases)('$name → $golden', ({ configure, golden, warning }) => {
    const { stdout, stderr } = dryRun(configure);
    expect(normalise(stdout)).toBe(readFileSync(join(conformanceDir(), 'kumactl', golden), 'utf8'));
    if (warning === undefined) expect(stderr).toEqual([]);
    else expect(stderr.join('\n')).toContain(warning);
  });

  it.each([
    ['a3000-5000:1', "parsing excluded outbound ports for uids failed: invalid port range: validation failed for value or range 'a3000-5000': invalid uint16 value: 'a3000'"],
    ['http:3000-5000:1', "parsing excluded outbound ports for uids failed: invalid or unsupported protocol: 'http'"],
    ['3000-5000:1:*', "parsing excluded outbound ports for uids failed: wildcard '*' is not allowed for UIDs"],
    ['3000-5000:1:1,2,3', "parsing excluded outbound ports for uids failed: invalid UID entry: '1,2,3'. It should either be a single item or a range"],
    ['tcp,http:1:1', "parsing excluded outbound ports for uids failed: invalid or unsupported protocol: 'http'"],
  ])('--exclude-outbound-ports-for-uids %s fails with Kuma’s message chain', (value, expected) => {
    expect(() => dryRun(uidExclusions(value))).toThrow(
      `unable to initialize IPv4 redirect configuration: unable to initialize .Outbound: ${expected}`,
    );
  });
});
