// fast-check generators of valid transparent-proxy configurations and
// profiles, for the renderer's property tests (pure and in a netns).

import fc from 'fast-check';
import { defaultConfig, type TransparentProxyConfig } from '../../init/config/config.ts';
import type { EnvironmentProfile } from '../../init/profile/profile.ts';
import { fullProfile, withFamily } from './test-fixtures.ts';

const port = fc.integer({ min: 1, max: 65535 });
const ports = (max: number) => fc.array(port, { maxLength: max });

/** `a-b` with a < b: iptables' multiport refuses `a:a` and reversed ranges (Kuma's grammar does not check). */
const range = (min: number, max: number) =>
  fc
    .tuple(fc.integer({ min, max: max - 1 }), fc.integer({ min: 1, max: max - min }))
    .map(([a, width]) => `${a}-${Math.min(a + width, max)}`);
const portItem = fc.oneof(port.map(String), range(1, 65535));

/** `<protocol:>?<ports:>?<uids>` entries, ports lists long enough to need splitting now and then. */
const uidEntry = fc
  .record({
    protocol: fc.constantFrom('', 'tcp:', 'udp:', 'tcp,udp:', '*:'),
    ports: fc.option(fc.array(portItem, { minLength: 1, maxLength: 24 }).map((items) => `${items.join(',')}:`), { nil: '' }),
    uids: fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), range(0, 65535)),
  })
  .map(({ protocol, ports: p, uids }) => (p === '' && protocol !== '' ? `${protocol}*:${uids}` : `${protocol}${p}${uids}`));

const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => `fd${(g[0]! & 0xff).toString(16).padStart(2, '0')}:${g.slice(1).map((x) => x.toString(16)).join(':')}`);
const address = fc.oneof(
  ipv4,
  ipv6,
  fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(ipv6, fc.integer({ min: 16, max: 128 })).map(([a, p]) => `${a}/${p}`),
);
const cidr4 = fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`);
const cidr6 = fc.tuple(ipv6, fc.integer({ min: 16, max: 128 })).map(([a, p]) => `${a}/${p}`);
const iface = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.boolean()).map(([n, plus]) => (plus ? `${n}+` : n));
const vnet = fc.array(fc.tuple(iface, fc.oneof(cidr4, cidr6)).map(([i, c]) => `${i}:${c}`), { maxLength: 3 });

export const configArbitrary: fc.Arbitrary<TransparentProxyConfig> = fc
  .record({
    user: fc.constantFrom('', 'root', '5678', 'kuma-dp'),
    inbound: fc.record({ enabled: fc.boolean(), port, include: ports(3), exclude: ports(6), ips: fc.array(address, { maxLength: 3 }), insert: fc.boolean() }),
    outbound: fc.record({ enabled: fc.boolean(), port, include: ports(3), exclude: ports(6), ips: fc.array(address, { maxLength: 3 }), insert: fc.boolean(), uids: fc.array(uidEntry, { maxLength: 3 }) }),
    dns: fc.record({ enabled: fc.boolean(), captureAll: fc.boolean(), skip: fc.boolean(), port }),
    vnet,
    log: fc.record({ enabled: fc.boolean(), level: fc.integer({ min: 0, max: 7 }) }),
    dropInvalidPackets: fc.boolean(),
    commentsDisabled: fc.boolean(),
    verbose: fc.boolean(),
  })
  .map((g) => {
    const c = defaultConfig();
    c.kumaDPUser = g.user;
    Object.assign(c.redirect.inbound, {
      enabled: g.inbound.enabled,
      port: g.inbound.port,
      includePorts: g.inbound.include,
      excludePorts: g.inbound.exclude,
      excludePortsForIPs: g.inbound.ips,
      insertRedirectInsteadOfAppend: g.inbound.insert,
    });
    Object.assign(c.redirect.outbound, {
      enabled: g.outbound.enabled,
      port: g.outbound.port,
      includePorts: g.outbound.include,
      excludePorts: g.outbound.exclude,
      excludePortsForIPs: g.outbound.ips,
      excludePortsForUIDs: g.outbound.uids,
      insertRedirectInsteadOfAppend: g.outbound.insert,
    });
    Object.assign(c.redirect.dns, {
      enabled: g.dns.enabled || g.dns.captureAll,
      captureAll: g.dns.captureAll,
      skipConntrackZoneSplit: g.dns.skip,
      port: g.dns.port,
    });
    c.redirect.vnet.networks = g.vnet;
    c.log = g.log;
    c.dropInvalidPackets = g.dropInvalidPackets;
    c.comments.disabled = g.commentsDisabled;
    c.verbose = g.verbose;
    return c;
  });

export const profileArbitrary: fc.Arbitrary<EnvironmentProfile> = fc
  .record({
    nameservers: fc.array(fc.oneof(ipv4, ipv6, fc.constant('127.0.0.11')), { maxLength: 3 }),
    dockerOutput: fc.boolean(),
    conntrack: fc.boolean(),
  })
  .map(({ nameservers, dockerOutput, conntrack }) =>
    withFamily(fullProfile({ nameservers }), 'ipv4', (fp) => ({
      ...fp,
      dockerOutput,
      modules: { ...fp.modules, conntrack },
    })),
  );
