import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { ConfigError } from '../config/errors.ts';
import type { EnvironmentProfile } from '../profile/profile.ts';
import { RenderError, type RenderErrorCode } from './errors.ts';
import { planRules, resolveKumaDPUid } from './plan.ts';
import { fullProfile, noIptablesFamily, withFamily } from '../../test-support/init/test-fixtures.ts';

const config = (change: (c: TransparentProxyConfig) => void = () => {}) => {
  const c = defaultConfig();
  change(c);
  return c;
};

function failure(run: () => unknown): RenderError {
  try {
    run();
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error('expected a RenderError');
}

const expectFailure = (run: () => unknown, code: RenderErrorCode, message: string) => {
  const error = failure(run);
  expect(error).toBeInstanceOf(ConfigError);
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
};

describe('kuma-dp UID (Kuma InitializeKumaDPUser)', () => {
  const users = fullProfile().users;

  it.each([
    ['a UID', '5678', '5678'],
    ['a user name', 'root', '0'],
    ['another user name', 'envoy', '101'],
  ])('resolves %s', (_name, user, uid) => {
    expect(resolveKumaDPUid(config((c) => (c.kumaDPUser = user)), users)).toBe(uid);
  });

  it('defaults to UID 5678, then to the user kuma-dp', () => {
    expect(resolveKumaDPUid(config(), users)).toBe('5678');
    expect(resolveKumaDPUid(config(), [{ name: 'kuma-dp', uid: 1234 }])).toBe('1234');
  });

  it('compares UID text exactly, as Go’s passwd lookup does', () => {
    expectFailure(
      () => resolveKumaDPUid(config((c) => (c.kumaDPUser = '05678')), users),
      'KUMA_DP_USER_NOT_FOUND',
      "the specified UID or username ('05678') does not refer to a valid user on the host",
    );
  });

  it('fails with Kuma’s message when no default user exists', () => {
    expectFailure(
      () => resolveKumaDPUid(config(), [{ name: 'root', uid: 0 }]),
      'KUMA_DP_USER_DEFAULT_NOT_FOUND',
      "no UID or username provided, and user with the default UID ('5678') or username ('kuma-dp') could not be found",
    );
  });

  it('uses the value verbatim in CNI mode (the host passwd is irrelevant)', () => {
    expect(resolveKumaDPUid(config((c) => Object.assign(c, { cniMode: true, kumaDPUser: 'someone' })), [])).toBe('someone');
    expect(resolveKumaDPUid(config((c) => (c.cniMode = true)), [])).toBe('5678');
  });
});

describe('refusals (deviations from Kuma)', () => {
  it('refuses an unparsable resolv.conf nameserver when IPv6 DNS rules are rendered', () => {
    const profile = fullProfile({ nameservers: ['10.0.0.2', 'dns.example'] });
    expectFailure(
      () => planRules(config((c) => (c.redirect.dns.enabled = true)), profile),
      'NAMESERVER_INVALID',
      "unable to initialize IPv6 redirect configuration: unable to initialize .DNS: nameserver 'dns.example' in /etc/resolv.conf is not an IP address (Kuma 2.13 would redirect all IPv6 DNS traffic because of it); fix the file, redirect all DNS traffic (--redirect-all-dns-traffic) or use --ip-family-mode ipv4",
    );
  });

  it('ignores it where Kuma ignores it too: IPv4 rules only (Go files it under IPv6)', () => {
    const dns = config((c) => (c.redirect.dns.enabled = true));
    const plan = planRules(dns, fullProfile({ ipv6Usable: false, nameservers: ['fe80::1%eth0', '10.0.0.2'] }));
    expect(plan.ipv4.dns.servers).toEqual([{ address: '10.0.0.2', loopback: false }]);
    dns.ipFamilyMode = 'ipv4';
    expect(planRules(dns, fullProfile({ nameservers: ['dns.example', '10.0.0.2'] })).ipv6).toBeUndefined();
  });

  it('ignores nameservers when DNS is off or all DNS is captured (Kuma does not read resolv.conf then)', () => {
    const profile = fullProfile({ nameservers: ['fe80::1%eth0'] });
    expect(() => planRules(config(), profile)).not.toThrow();
    expect(() => planRules(config((c) => Object.assign(c.redirect.dns, { enabled: true, captureAll: true })), profile)).not.toThrow();
  });
});

describe('configuration errors in Kuma’s context chain', () => {
  it.each([
    [
      'a bad vnet entry',
      (c: TransparentProxyConfig) => (c.redirect.vnet.networks = ['docker0']),
      'unable to initialize IPv4 redirect configuration: unable to initialize .VNet: invalid virtual network definition: docker0',
    ],
    [
      'a bad inbound IP',
      (c: TransparentProxyConfig) => (c.redirect.inbound.excludePortsForIPs = ['10.0.0.300']),
      "unable to initialize IPv4 redirect configuration: unable to initialize .Inbound: parsing excluded outbound ports for IPs failed: invalid exclusion rule: invalid IP address: '10.0.0.300'. Expected format: <ip> or <ip>/<cidr> (e.g., 10.0.0.1, 172.16.0.0/16, fe80::1, fe80::/10)",
    ],
    [
      'a bad outbound UID entry',
      (c: TransparentProxyConfig) => (c.redirect.outbound.excludePortsForUIDs = ['1:2:3:4']),
      "unable to initialize IPv4 redirect configuration: unable to initialize .Outbound: parsing excluded outbound ports for uids failed: invalid format for excluding ports by UIDs: '1:2:3:4'. Expected format: <protocol:>?<ports:>?<uids>",
    ],
    [
      'an empty chain name (env-only setting)',
      (c: TransparentProxyConfig) => (c.redirect.outbound.chainName = ''),
      'unable to initialize IPv4 redirect configuration: unable to initialize .Outbound: no chain name provided',
    ],
  ])('%s', (_name, change, message) => {
    expectFailure(() => planRules(config(change), fullProfile()), 'REDIRECT_CONFIG_INVALID', message);
  });

  it('reports the vnet before the flows, as Kuma initialises them', () => {
    const error = failure(() =>
      planRules(
        config((c) => {
          c.redirect.vnet.networks = ['x'];
          c.redirect.outbound.excludePortsForUIDs = ['*'];
        }),
        fullProfile(),
      ),
    );
    expect(error.message).toContain('.VNet');
  });
});

describe('per-family decisions', () => {
  const ipv6Planned = (c: TransparentProxyConfig, p: EnvironmentProfile) => planRules(c, p).ipv6 !== undefined;

  it('IPv6 needs dualstack, usable IPv6 and ip6tables executables', () => {
    expect(ipv6Planned(config(), fullProfile())).toBe(true);
    expect(ipv6Planned(config((c) => (c.ipFamilyMode = 'ipv4')), fullProfile())).toBe(false);
    expect(ipv6Planned(config(), fullProfile({ ipv6Usable: false }))).toBe(false);
    expect(ipv6Planned(config(), withFamily(fullProfile(), 'ipv6', noIptablesFamily))).toBe(false);
  });

  it('comments need the comment module and not comments.disabled', () => {
    const noComment = withFamily(fullProfile(), 'ipv6', (fp) => ({ ...fp, modules: { ...fp.modules, comment: false } }));
    const plan = planRules(config(), noComment);
    expect([plan.ipv4.commentsEnabled, plan.ipv6?.commentsEnabled]).toEqual([true, false]);
    expect(planRules(config((c) => (c.comments.disabled = true)), fullProfile()).ipv4.commentsEnabled).toBe(false);
  });

  it('files nameservers by Go’s family test and prints them as Go does', () => {
    const profile = fullProfile({ nameservers: ['::ffff:10.0.0.9', 'FD00::0053', '127.0.0.53'] });
    const plan = planRules(config((c) => (c.redirect.dns.enabled = true)), profile);
    expect(plan.ipv4.dns.servers).toEqual([
      { address: '10.0.0.9', loopback: false },
      { address: '127.0.0.53', loopback: true },
    ]);
    expect(plan.ipv6?.dns.servers).toEqual([{ address: 'fd00::53', loopback: false }]);
  });

  it('warns as Kuma does, with the family prefix, in Kuma’s order', () => {
    const profile = withFamily(fullProfile({ nameservers: ['10.0.0.2'] }), 'ipv4', (fp) => ({
      ...fp,
      tables: { ...fp.tables, raw: false },
    }));
    const plan = planRules(config((c) => (c.redirect.dns.enabled = true)), profile);
    expect(plan.warnings).toEqual([
      "# [iptables] [WARNING] conntrack zone splitting is disabled. This requires the 'conntrack' iptables module",
      '# [ip6tables] [WARNING] no IPv6 DNS servers found in /etc/resolv.conf. DNS traffic capture for IPv6 will be disabled',
    ]);
    expect([plan.ipv4.dns.enabled, plan.ipv4.dns.conntrackZoneSplit]).toEqual([true, false]);
    expect([plan.ipv6?.dns.enabled, plan.ipv6?.dns.conntrackZoneSplit]).toEqual([false, false]);
  });

  it('gives up the split when capturing all DNS next to Docker’s DOCKER_OUTPUT chain', () => {
    const profile = withFamily(fullProfile({ ipv6Usable: false }), 'ipv4', (fp) => ({ ...fp, dockerOutput: true }));
    const plan = planRules(config((c) => Object.assign(c.redirect.dns, { enabled: true, captureAll: true })), profile);
    expect(plan.ipv4.dns.conntrackZoneSplit).toBe(false);
    expect(plan.warnings).toEqual([
      '# [iptables] [WARNING] conntrack zone splitting is unsupported when capturing all DNS traffic inside Docker containers with custom networks',
    ]);
  });

  it('captureAll without enabled redirects nothing (CNI reads the annotation as is)', () => {
    const plan = planRules(config((c) => (c.redirect.dns.captureAll = true)), fullProfile());
    expect(plan.ipv4.dns.enabled).toBe(false);
    expect(plan.warnings).toEqual([]);
  });
});
