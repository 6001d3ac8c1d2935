import { describe, expect, it } from 'vitest';
import type { TransparentProxyConfig } from '../config/config.ts';
import type { EnvironmentProfile, IpFamily } from '../profile/profile.ts';
import { buildNatTable } from './nat.ts';
import { renderTable } from './table.ts';
import { familyPlan, fullProfile, withFamily } from '../../test-support/init/test-fixtures.ts';

/** nat lines without comments, for the given config change. */
function nat(change: (c: TransparentProxyConfig) => void, { family = 'ipv4', verbose = false, profile = fullProfile() }: { family?: IpFamily; verbose?: boolean; profile?: EnvironmentProfile } = {}) {
  const plan = familyPlan((c) => {
    change(c);
    c.verbose = verbose;
  }, family, profile);
  return renderTable(buildNatTable(plan), { verbose, comments: false })!.split('\n');
}
const chain = (lines: string[], name: string) => lines.filter((l) => !l.startsWith('-N ') && l.split(' ')[1] === name);

// Kuma's builder_table_nat_test.go vectors: ports 1234/12345, vnet filtered per family.
const kumaPorts = (vnet: string[]) => (c: TransparentProxyConfig) => {
  c.redirect.inbound.port = 1234;
  c.redirect.outbound.port = 12345;
  c.redirect.vnet.networks = vnet;
};

describe('nat PREROUTING', () => {
  it('appends the inbound jump when there is no vnet and no insert option', () => {
    expect(chain(nat(() => {}), 'PREROUTING')).toEqual(['-A PREROUTING -p tcp -j KUMA_MESH_INBOUND']);
  });

  it('inserts vnet redirects per interface, sorted, then the inbound jump (IPv4)', () => {
    expect(chain(nat(kumaPorts(['docker:1.2.3.4/24', 'br+:127.0.0.0/32'])), 'PREROUTING')).toEqual([
      '-I PREROUTING 1 -i br+ -m udp -p udp --dport 53 -j REDIRECT --to-ports 15053',
      '-I PREROUTING 2 ! -d 127.0.0.0/32 -i br+ -p tcp -j REDIRECT --to-ports 12345',
      '-I PREROUTING 3 -i docker -m udp -p udp --dport 53 -j REDIRECT --to-ports 15053',
      '-I PREROUTING 4 ! -d 1.2.3.4/24 -i docker -p tcp -j REDIRECT --to-ports 12345',
      '-I PREROUTING 5 -p tcp -j KUMA_MESH_INBOUND',
    ]);
  });

  it('keeps only the family’s networks, verbose (IPv6)', () => {
    expect(chain(nat(kumaPorts(['docker:127.0.0.6/24', 'br+:1::1/128']), { family: 'ipv6', verbose: true }), 'PREROUTING')).toEqual([
      '--insert PREROUTING 1 --in-interface br+ --match udp --protocol udp --destination-port 53 --jump REDIRECT --to-ports 15053',
      '--insert PREROUTING 2 ! --destination 1::1/128 --in-interface br+ --protocol tcp --jump REDIRECT --to-ports 12345',
      '--insert PREROUTING 3 --protocol tcp --jump KUMA_MESH_INBOUND',
    ]);
  });

  it('inserts the inbound jump with insertRedirectInsteadOfAppend', () => {
    expect(chain(nat((c) => (c.redirect.inbound.insertRedirectInsteadOfAppend = true)), 'PREROUTING')).toEqual([
      '-I PREROUTING 1 -p tcp -j KUMA_MESH_INBOUND',
    ]);
  });

  it('appends the LOG rule, so with inserts it ends up after them', () => {
    const lines = chain(
      nat((c) => {
        c.log.enabled = true;
        c.redirect.inbound.insertRedirectInsteadOfAppend = true;
      }),
      'PREROUTING',
    );
    expect(lines).toEqual(['-A PREROUTING -j LOG --log-prefix PREROUTING: --log-level 7', '-I PREROUTING 1 -p tcp -j KUMA_MESH_INBOUND']);
  });
});

describe('nat OUTPUT', () => {
  it('orders UID exclusions, IP exclusions, DNS and the outbound jump (Kuma §4.5)', () => {
    const lines = chain(
      nat((c) => {
        c.redirect.dns.enabled = true;
        c.redirect.dns.captureAll = true;
        c.redirect.outbound.excludePortsForUIDs = ['53,3000-5000:106-108'];
        c.redirect.outbound.excludePortsForIPs = ['10.0.0.1,192.168.0.0/24,fe80::1', 'fd00::/8'];
      }),
      'OUTPUT',
    );
    expect(lines).toEqual([
      '-I OUTPUT 1 -m multiport -p tcp --dport 53,3000:5000 -m owner --uid-owner 106:108 -j RETURN',
      '-I OUTPUT 2 -m multiport -p udp --dport 53,3000:5000 -m owner --uid-owner 106:108 -j RETURN',
      '-I OUTPUT 3 -d 10.0.0.1 -j RETURN',
      '-I OUTPUT 4 -d 192.168.0.0/24 -j RETURN',
      '-I OUTPUT 5 -p udp --dport 53 -m owner --uid-owner 5678 -j RETURN',
      '-A OUTPUT -p tcp --dport 53 -m owner ! --uid-owner 5678 -j RETURN',
      '-I OUTPUT 6 -p udp --dport 53 -j REDIRECT --to-ports 15053',
      '-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND',
    ]);
  });

  it('redirects DNS per nameserver of the family, in resolv.conf order', () => {
    const profile = fullProfile({ nameservers: ['10.0.0.2', 'fd00::53', '10.0.0.3'] });
    const dns = (c: TransparentProxyConfig) => (c.redirect.dns.enabled = true);
    expect(chain(nat(dns, { profile }), 'OUTPUT').filter((l) => l.includes('REDIRECT'))).toEqual([
      '-I OUTPUT 2 -d 10.0.0.2 -p udp --dport 53 -j REDIRECT --to-ports 15053',
      '-I OUTPUT 3 -d 10.0.0.3 -p udp --dport 53 -j REDIRECT --to-ports 15053',
    ]);
    expect(chain(nat(dns, { profile, family: 'ipv6' }), 'OUTPUT').filter((l) => l.includes('REDIRECT'))).toEqual([
      '-I OUTPUT 2 -d fd00::53 -p udp --dport 53 -j REDIRECT --to-ports 15053',
    ]);
  });

  it('sends kuma-dp DNS to DOCKER_OUTPUT when that chain exists', () => {
    const profile = withFamily(fullProfile(), 'ipv4', (fp) => ({ ...fp, dockerOutput: true }));
    expect(chain(nat((c) => (c.redirect.dns.enabled = true), { profile }), 'OUTPUT')[0]).toBe(
      '-I OUTPUT 1 -p udp --dport 53 -m owner --uid-owner 5678 -j DOCKER_OUTPUT',
    );
  });

  it('splits a UID exclusion with more than 15 port references over several rules', () => {
    const lines = chain(nat((c) => (c.redirect.outbound.excludePortsForUIDs = ['tcp:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16:7'])), 'OUTPUT');
    expect(lines).toEqual([
      '-I OUTPUT 1 -m multiport -p tcp --dport 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -m owner --uid-owner 7 -j RETURN',
      '-I OUTPUT 2 -m multiport -p tcp --dport 16 -m owner --uid-owner 7 -j RETURN',
      '-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND',
    ]);
  });

  it('inserts the LOG rule first and the outbound jump with insertRedirectInsteadOfAppend', () => {
    expect(
      chain(
        nat((c) => {
          c.log.enabled = true;
          c.log.level = 4;
          c.redirect.outbound.insertRedirectInsteadOfAppend = true;
        }),
        'OUTPUT',
      ),
    ).toEqual(['-I OUTPUT 1 -j LOG --log-prefix OUTPUT: --log-level 4', '-I OUTPUT 2 -p tcp -j KUMA_MESH_OUTBOUND']);
  });
});

describe('KUMA_MESH_INBOUND and KUMA_MESH_OUTBOUND', () => {
  it('2.13 loopback rules carry ! --dport 53 only while DNS is redirected for the family', () => {
    const withDns = chain(nat((c) => (c.redirect.dns.enabled = true)), 'KUMA_MESH_OUTBOUND');
    expect(withDns.slice(1, 3)).toEqual([
      '-A KUMA_MESH_OUTBOUND -p tcp ! --dport 53 -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT',
      '-A KUMA_MESH_OUTBOUND -p tcp ! --dport 53 -o lo -m owner ! --uid-owner 5678 -j RETURN',
    ]);
    // No IPv6 nameserver: DNS is off for IPv6, so no `! --dport 53` there.
    const ipv6 = chain(
      nat((c) => (c.redirect.dns.enabled = true), { family: 'ipv6', profile: fullProfile({ nameservers: ['10.0.0.2'] }) }),
      'KUMA_MESH_OUTBOUND',
    );
    expect(ipv6[1]).toBe('-A KUMA_MESH_OUTBOUND -p tcp -o lo ! -d ::1/128 -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT');
  });

  it('include ports replace the catch-all redirects and make exclude ports irrelevant', () => {
    const lines = nat((c) => {
      c.redirect.inbound.includePorts = [8080];
      c.redirect.inbound.excludePorts = [9000];
      c.redirect.outbound.includePorts = [443];
      c.redirect.outbound.excludePorts = [5432];
    });
    expect(chain(lines, 'KUMA_MESH_INBOUND')).toEqual(['-A KUMA_MESH_INBOUND -p tcp --dport 8080 -j KUMA_MESH_INBOUND_REDIRECT']);
    expect(chain(lines, 'KUMA_MESH_OUTBOUND').at(-1)).toBe('-A KUMA_MESH_OUTBOUND -p tcp --dport 443 -j KUMA_MESH_OUTBOUND_REDIRECT');
    expect(lines.join('\n')).not.toContain('5432');
  });

  it('inbound IP exclusions return by source before the port exclusions', () => {
    expect(
      chain(
        nat((c) => {
          c.redirect.inbound.excludePortsForIPs = ['192.168.0.1,fe80::/10', '172.32.16.8/16'];
          c.redirect.inbound.excludePorts = [4444];
        }),
        'KUMA_MESH_INBOUND',
      ),
    ).toEqual([
      '-A KUMA_MESH_INBOUND -s 192.168.0.1 -j RETURN',
      '-A KUMA_MESH_INBOUND -s 172.32.16.8/16 -j RETURN',
      '-A KUMA_MESH_INBOUND -p tcp --dport 4444 -j RETURN',
      '-A KUMA_MESH_INBOUND -p tcp -j KUMA_MESH_INBOUND_REDIRECT',
    ]);
  });

  it('a disabled direction only returns, but its redirect chain still exists', () => {
    const lines = nat((c) => {
      c.redirect.inbound.enabled = false;
      c.redirect.outbound.enabled = false;
    });
    expect(chain(lines, 'KUMA_MESH_INBOUND')).toEqual(['-A KUMA_MESH_INBOUND -p tcp -j RETURN']);
    expect(chain(lines, 'KUMA_MESH_OUTBOUND')).toEqual(['-A KUMA_MESH_OUTBOUND -p tcp -j RETURN']);
    expect(chain(lines, 'KUMA_MESH_INBOUND_REDIRECT')).toEqual(['-A KUMA_MESH_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15006']);
    expect(lines.filter((l) => l.startsWith('-N '))).toHaveLength(4);
  });
});
