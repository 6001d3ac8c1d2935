// The raw table: the DNS conntrack zone split. Queries from kuma-dp to the
// real resolvers and the apps' queries answered by the kuma-dp DNS proxy are
// put in different conntrack zones, so the two flows of one query (app →
// proxy, proxy → resolver) never collide on the same 5-tuple. Only rendered
// when DNS is redirected and the split is on (Kuma: builder_table_raw.go).

import type { FamilyPlan } from './family-plan.ts';
import { DNS_PORT } from './nat.ts';
import { ctZone, destination, dport, ownerUid, protocol, source, sport } from './params.ts';
import { appendRule, type Rule } from './rule.ts';
import type { Table } from './table.ts';

function splitRules(plan: FamilyPlan): Rule[] {
  const { dns, kumaDPUid: uid } = plan;
  const rules: Rule[] = [
    appendRule(
      'OUTPUT',
      `assign connection tracking zone 1 to DNS traffic from the kuma-dp user (UID ${uid})`,
      protocol('udp', dport(DNS_PORT)),
      ownerUid(uid),
      ctZone(1),
    ),
    appendRule(
      'OUTPUT',
      'assign connection tracking zone 2 to DNS responses from the kuma-dp DNS proxy',
      protocol('udp', sport(dns.port)),
      ownerUid(uid),
      ctZone(2),
    ),
  ];
  if (dns.captureAll) {
    rules.push(
      appendRule('OUTPUT', 'assign connection tracking zone 2 to all DNS requests', protocol('udp', dport(DNS_PORT)), ctZone(2)),
      appendRule('PREROUTING', 'assign connection tracking zone 1 to all DNS responses', protocol('udp', sport(DNS_PORT)), ctZone(1)),
    );
    return rules;
  }
  for (const server of dns.servers) {
    rules.push(
      appendRule(
        'OUTPUT',
        `assign connection tracking zone 2 to DNS requests destined for ${server.address}`,
        destination(server.address),
        protocol('udp', dport(DNS_PORT)),
        ctZone(2),
      ),
    );
    // A local resolver (Docker's 127.0.0.11 in custom networks) answers through a DNAT that changes the port.
    if (server.loopback) {
      rules.push(
        appendRule(
          'OUTPUT',
          'assign conntrack zone 1 to DNS responses from the local DNS server to localhost, needed when the DNS query port is altered by a DNAT iptables rule, such as with Docker containers in a custom network',
          source(server.address),
          destination(plan.localhostCidr),
          protocol('udp'),
          ctZone(1),
        ),
      );
    }
    rules.push(
      appendRule(
        'PREROUTING',
        `assign connection tracking zone 1 to DNS responses from ${server.address}`,
        source(server.address),
        protocol('udp', sport(DNS_PORT)),
        ctZone(1),
      ),
    );
  }
  return rules;
}

export function buildRawTable(plan: FamilyPlan): Table {
  return { name: 'raw', customChains: [], rules: plan.dns.enabled && plan.dns.conntrackZoneSplit ? splitRules(plan) : [] };
}
