// Property: the same settings given as flags, as a JSON --config on stdin, or
// as KUMA_TRANSPARENT_PROXY_* variables load to the same config.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadInstallConfig, type InstallInputs } from './load-install-config.ts';

interface Settings {
  inboundPort: number;
  outboundPort: number;
  dnsPort: number;
  inboundExcluded: number[];
  outboundExcluded: number[];
  inboundEnabled: boolean;
  verbose: boolean;
  logs: boolean;
  noComments: boolean;
  wait: number;
  maxRetries: number;
  sleepMs: number;
  user: string;
  ipv4Only: boolean;
  uidRules: string[];
  outboundIps: string[];
  vnet: string[];
}

const port = fc.integer({ min: 1, max: 65535 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const settings: fc.Arbitrary<Settings> = fc.record({
  inboundPort: port,
  outboundPort: port,
  dnsPort: port,
  inboundExcluded: fc.array(port, { minLength: 1, maxLength: 5 }),
  outboundExcluded: fc.array(port, { minLength: 1, maxLength: 5 }),
  inboundEnabled: fc.boolean(),
  verbose: fc.boolean(),
  logs: fc.boolean(),
  noComments: fc.boolean(),
  wait: fc.nat(1000),
  maxRetries: fc.nat(10),
  sleepMs: fc.nat(10_000),
  user: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  ipv4Only: fc.boolean(),
  uidRules: fc.array(
    fc.tuple(fc.constantFrom('tcp', 'udp', '*'), port, fc.nat(65535)).map(([p, n, u]) => `${p}:${n}:${u}`),
    { minLength: 1, maxLength: 3 },
  ),
  outboundIps: fc.array(ipv4, { minLength: 1, maxLength: 3 }),
  vnet: fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}\+?$/), ipv4).map(([i, a]) => `${i}:${a}/32`), { minLength: 1, maxLength: 3 }),
});

function inputs(argv: string[], stdin = '', env: InstallInputs['env'] = {}): InstallInputs {
  return { argv, env, readFile: () => '', readStdin: () => stdin, euid: 0, platform: 'linux' };
}

function asFlags(s: Settings): string[] {
  return [
    `--redirect-inbound-port=${s.inboundPort}`,
    '--redirect-outbound-port', String(s.outboundPort),
    `--redirect-dns-port=${s.dnsPort}`,
    '--exclude-inbound-ports', s.inboundExcluded.join(','),
    `--exclude-outbound-ports=${s.outboundExcluded.join(',')}`,
    `--redirect-inbound=${s.inboundEnabled}`,
    `--verbose=${s.verbose}`,
    `--iptables-logs=${s.logs}`,
    `--disable-comments=${s.noComments}`,
    '--wait', String(s.wait),
    '--max-retries', String(s.maxRetries),
    '--sleep-between-retries', `"${s.sleepMs}ms"`,
    '--kuma-dp-user', s.user,
    '--ip-family-mode', s.ipv4Only ? 'ipv4' : 'dualstack',
    ...s.uidRules.flatMap((r) => ['--exclude-outbound-ports-for-uids', r]),
    ...s.outboundIps.map((ip) => `--exclude-outbound-ips=${ip}`),
    ...s.vnet.flatMap((v) => ['--vnet', v]),
  ];
}

function asJson(s: Settings): string {
  return JSON.stringify({
    kumaDPUser: s.user,
    ipFamilyMode: s.ipv4Only ? 'ipv4' : 'dualstack',
    redirect: {
      inbound: { port: s.inboundPort, excludePorts: s.inboundExcluded, enabled: s.inboundEnabled },
      outbound: { port: s.outboundPort, excludePorts: s.outboundExcluded.join(','), excludePortsForUIDs: s.uidRules, excludePortsForIPs: s.outboundIps },
      dns: { port: s.dnsPort },
      vnet: { networks: s.vnet },
    },
    verbose: s.verbose,
    log: { enabled: s.logs },
    comments: { disabled: s.noComments },
    wait: s.wait,
    retry: { maxRetries: s.maxRetries, sleepBetweenRetries: `${s.sleepMs}ms` },
  });
}

function asEnv(s: Settings): Record<string, string> {
  const p = 'KUMA_TRANSPARENT_PROXY_';
  return {
    [`${p}REDIRECT_INBOUND_PORT`]: String(s.inboundPort),
    [`${p}REDIRECT_OUTBOUND_PORT`]: String(s.outboundPort),
    [`${p}REDIRECT_DNS_PORT`]: String(s.dnsPort),
    [`${p}REDIRECT_INBOUND_EXCLUDE_PORTS`]: s.inboundExcluded.join(','),
    [`${p}REDIRECT_OUTBOUND_EXCLUDE_PORTS`]: s.outboundExcluded.join(','),
    [`${p}REDIRECT_INBOUND_ENABLED`]: String(s.inboundEnabled),
    [`${p}VERBOSE`]: String(s.verbose),
    [`${p}LOG_ENABLED`]: String(s.logs),
    [`${p}COMMENTS_DISABLED`]: String(s.noComments),
    [`${p}WAIT`]: String(s.wait),
    [`${p}RETRY_MAX_RETRIES`]: String(s.maxRetries),
    [`${p}RETRY_SLEEP_BETWEEN_RETRIES`]: `${s.sleepMs}ms`,
    KUMA_DP_USER: s.user,
    IP_FAMILY_MODE: s.ipv4Only ? 'ipv4' : 'dualstack',
    [`${p}REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_UIDS`]: s.uidRules.join(','),
    [`${p}REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_IPS`]: s.outboundIps.join(','),
    [`${p}REDIRECT_VNET_NETWORKS`]: s.vnet.join(','),
  };
}

describe('flags, config sources and env vars agree', () => {
  it('load to the same config', () => {
    fc.assert(
      fc.property(settings, (s) => {
        const fromFlags = loadInstallConfig(inputs(asFlags(s)));
        const fromJson = loadInstallConfig(inputs(['--config', '-'], asJson(s)));
        const fromEnv = loadInstallConfig(inputs(['--config', '-'], '{}', asEnv(s)));
        expect(fromJson).toEqual(fromFlags);
        expect(fromEnv).toEqual(fromFlags);
        expect(fromFlags.kind === 'config' && fromFlags.config.retry.sleepBetweenRetries).toBe(s.sleepMs);
      }),
      { numRuns: 200 },
    );
  });
});
