// Kuma 2.13.10's `kumactl install transparent-proxy --dry-run` goldens
// (app/kumactl/cmd/install/testdata), reproduced with the normalisation of
// Kuma's install_transparent_proxy_test.go: Kuma's own argument lists go
// through our flag/config loader, then the renderer. Kuma runs these as a
// non-root user without usable iptables, so the profile has no executables:
// no comments, no conntrack.
import { describe, expect, it } from 'vitest';
import { missingConformance } from '../../test-support/environment.ts';
import { ConfigError } from '../config/errors.ts';
import { loadInstallConfig } from '../config/load-install-config.ts';
import type { EnvironmentProfile } from '../profile/profile.ts';
import { formatDryRun } from '../rules/dry-run.ts';
import { renderRules } from '../rules/render.ts';
import { noIptablesFamily } from '../../test-support/init/test-fixtures.ts';
import {
  EXCLUDE_FOR_UIDS_ERROR_CASES,
  EXCLUDED_PORTS_FOR_UIDS_ARGS,
  excludeForUidsStderr,
  kumactlGolden,
  normaliseKumactlOutput,
} from '../../test-support/init/kumactl-goldens.ts';

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

/** Kuma's cleanStderr drops the two dry-run warnings (non-root, no valid iptables). */
const DRY_RUN_WARNINGS = [
  '# [WARNING] [dry-run]: running this command as a non-root user may lead to unpredictable results',
  '[dry-run]: no valid iptables executables found; the generated iptables rules may differ from those generated in an environment with valid iptables executables',
];

/** `kumactl install transparent-proxy <args>` as a non-root user: stdout and the cleaned stderr lines. */
function kumactl(args: string[]) {
  const loaded = loadInstallConfig({
    argv: args,
    env: {},
    readFile: () => {
      throw new Error('no config file in these cases');
    },
    readStdin: () => '',
    euid: 1000,
    platform: 'linux',
  });
  if (loaded.kind !== 'config') throw new Error('unexpected --help');
  const rendered = renderRules(loaded.config, kumaCiProfile);
  const stderr = [...loaded.warnings, ...rendered.warnings].filter((line) => !DRY_RUN_WARNINGS.some((w) => line.includes(w)));
  return { stdout: formatDryRun(rendered), stderr };
}

/** What cobra prints for a failed command: `Error: <message>`. */
function kumactlError(args: string[]): string {
  try {
    kumactl(args);
  } catch (error) {
    if (error instanceof ConfigError) return `Error: ${error.message}\n`;
    throw error;
  }
  throw new Error(`kumactl ${args.join(' ')} did not fail`);
}

interface Case {
  name: string;
  /** Kuma's extra args after `install transparent-proxy --dry-run --ip-family-mode ipv4`. */
  args: string[];
  golden: string;
  /** A warning Kuma's case demands on stderr; otherwise stderr must be empty. */
  warning?: string;
}

const dnsAll = ['--kuma-dp-user', '0', '--redirect-all-dns-traffic', '--redirect-dns-port', '12345'];
const overrides = ['--kuma-dp-user', 'root', '--redirect-outbound-port', '12345', '--redirect-inbound-port', '12346'];
const excludePorts = ['--exclude-outbound-ports', '2000,2001', '--exclude-inbound-ports', '1000,1001'];

// Kuma's DescribeTable entries, minus the stale dns.golden.txt case (tproxy spec §9.1, delta §20.1).
const cases: Case[] = [
  { name: 'defaults with username', args: ['--kuma-dp-user', 'root'], golden: 'install-transparent-proxy.defaults.golden.txt' },
  { name: 'defaults with user id', args: ['--kuma-dp-user', '0'], golden: 'install-transparent-proxy.defaults.golden.txt' },
  {
    name: 'DNS redirected when no conntrack module present',
    args: dnsAll,
    golden: 'install-transparent-proxy.dns.no-conntrack.golden.txt',
    warning: CONNTRACK_WARNING,
  },
  {
    name: 'DNS redirected without conntrack zone splitting',
    args: [...dnsAll, '--skip-dns-conntrack-zone-split'],
    golden: 'install-transparent-proxy.dns.no-conntrack.golden.txt',
  },
  { name: 'overrides', args: [...overrides, ...excludePorts], golden: 'install-transparent-proxy.overrides.golden.txt' },
  {
    name: 'ipv6 disabled',
    args: [...overrides, '--ip-family-mode', 'ipv4', ...excludePorts],
    golden: 'install-transparent-proxy.overrides.golden.txt',
  },
  { name: 'outbound exclude ports for uids', args: [...EXCLUDED_PORTS_FOR_UIDS_ARGS], golden: 'install-transparent-proxy.excludedports.txt' },
  {
    name: 'outbound exclude ports for uids wildcard',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '*:*:0'],
    golden: 'install-transparent-proxy.excludedports_wildcards.txt',
  },
  {
    name: 'outbound exclude ports for uids, one protocol',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', 'tcp:*:0'],
    golden: 'install-transparent-proxy.excludedports_allprotos.txt',
  },
  {
    name: 'outbound exclude ports for uids, only uid',
    args: ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '123'],
    golden: 'install-transparent-proxy.excludedports_onlyuid.txt',
  },
  { name: 'outbound exclude ports (simpler)', args: [...EXCLUDED_PORTS_FOR_UIDS_ARGS], golden: 'install-transparent-proxy.excludedports_simpler.txt' },
];

describe.skipIf(missingConformance('kumactl'))('kumactl install transparent-proxy --dry-run goldens (Kuma 2.13.10)', () => {
  it.each(cases)('$name → $golden', ({ args, golden, warning }) => {
    const { stdout, stderr } = kumactl(['--dry-run', '--ip-family-mode', 'ipv4', ...args]);
    expect(normaliseKumactlOutput(stdout)).toBe(kumactlGolden(golden));
    if (warning === undefined) expect(stderr).toEqual([]);
    else expect(stderr.join('\n')).toContain(warning);
  });

  it('--redirect-dns with --redirect-all-dns-traffic fails with exactly Kuma’s stderr', () => {
    expect(kumactlError(['--dry-run', '--kuma-dp-user', 'root', '--redirect-dns', '--redirect-all-dns-traffic'])).toBe(
      "Error: only one of '--redirect-dns' or '--redirect-all-dns-traffic' should be specified\n",
    );
  });

  it.each(EXCLUDE_FOR_UIDS_ERROR_CASES)('--exclude-outbound-ports-for-uids %s fails with Kuma’s message', (value, message) => {
    const stderr = kumactlError(['--dry-run', '--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', value]);
    expect(stderr).toBe(excludeForUidsStderr(message));
  });
});
