// The nat table: redirection of inbound and outbound TCP to Envoy, DNS to the
// kuma-dp DNS proxy, and the exclusions. Rules, comments and generation order
// follow Kuma 2.13.10 (builder_table_nat.go), except that multiport lists
// longer than iptables accepts are split (see multiport.ts).

import type { FamilyPlan, FlowPlan } from './family-plan.ts';
import { splitPortList } from './multiport.ts';
import {
  destination,
  dport,
  inInterface,
  jump,
  jumpReturn,
  jumpToForeignChain,
  logTo,
  match,
  multiport,
  outInterface,
  ownerUid,
  protocol,
  redirectTo,
  source,
} from './params.ts';
import { appendRule, insertRule, type Rule } from './rule.ts';
import type { Table } from './table.ts';

export const DNS_PORT = 53;
const DOCKER_OUTPUT_CHAIN = 'DOCKER_OUTPUT';

const LOG_COMMENT = 'log matching packets using kernel logging';
const EXCLUSION_COMMENT = 'skip further processing for configured IP addresses, ports and UIDs';

/** nat OUTPUT: logging, exclusions, DNS, then the jump to the outbound chain. */
function outputRules(plan: FamilyPlan): Rule[] {
  const { outbound, dns, kumaDPUid: uid } = plan;
  const rules: Rule[] = [];
  if (plan.log.enabled) rules.push(insertRule('OUTPUT', LOG_COMMENT, logTo('OUTPUT', plan.log.level)));
  for (const exclusion of outbound.uidExclusions) {
    for (const ports of splitPortList(exclusion.ports)) {
      rules.push(
        insertRule(
          'OUTPUT',
          EXCLUSION_COMMENT,
          multiport(),
          protocol(exclusion.protocol, dport(ports)),
          ownerUid(exclusion.uids),
          jumpReturn(),
        ),
      );
    }
  }
  for (const address of outbound.ipExclusions) {
    rules.push(insertRule('OUTPUT', EXCLUSION_COMMENT, destination(address), jumpReturn()));
  }
  if (dns.enabled) {
    rules.push(
      dns.dockerOutput
        ? insertRule(
            'OUTPUT',
            `redirect DNS traffic from kuma-dp to the ${DOCKER_OUTPUT_CHAIN} chain`,
            protocol('udp', dport(DNS_PORT)),
            ownerUid(uid),
            jumpToForeignChain(DOCKER_OUTPUT_CHAIN),
          )
        : insertRule(
            'OUTPUT',
            'return early for DNS traffic from kuma-dp',
            protocol('udp', dport(DNS_PORT)),
            ownerUid(uid),
            jumpReturn(),
          ),
      appendRule(
        'OUTPUT',
        `allow applications to perform DNS queries over TCP to port ${DNS_PORT} without mesh redirection (only traffic not owned by UID ${uid} (kuma-dp user))`,
        protocol('tcp', dport(DNS_PORT)),
        ownerUid(uid, true),
        jumpReturn(),
      ),
    );
    if (dns.captureAll) {
      rules.push(
        insertRule(
          'OUTPUT',
          `redirect all DNS requests to the kuma-dp DNS proxy (listening on port ${dns.port})`,
          protocol('udp', dport(DNS_PORT)),
          redirectTo(dns.port),
        ),
      );
    } else {
      for (const server of dns.servers) {
        rules.push(
          insertRule(
            'OUTPUT',
            `redirect DNS requests to ${server.address} to the kuma-dp DNS proxy (listening on port ${dns.port})`,
            destination(server.address),
            protocol('udp', dport(DNS_PORT)),
            redirectTo(dns.port),
          ),
        );
      }
    }
  }
  const toOutbound = outbound.insertRedirectInsteadOfAppend ? insertRule : appendRule;
  rules.push(
    toOutbound(
      'OUTPUT',
      'redirect outbound TCP traffic to our custom chain for processing',
      protocol('tcp'),
      jump(outbound.chain),
    ),
  );
  return rules;
}

/** nat PREROUTING: logging, vnet redirects, then the jump to the inbound chain. */
function preroutingRules(plan: FamilyPlan): Rule[] {
  const { inbound, outbound, dns } = plan;
  const rules: Rule[] = [];
  if (plan.log.enabled) rules.push(appendRule('PREROUTING', LOG_COMMENT, logTo('PREROUTING', plan.log.level)));
  if (plan.vnet.length === 0 && !inbound.insertRedirectInsteadOfAppend) {
    rules.push(
      appendRule(
        'PREROUTING',
        'redirect inbound TCP traffic to our custom chain for processing',
        protocol('tcp'),
        jump(inbound.chain),
      ),
    );
    return rules;
  }
  // Kuma redirects vnet DNS to the DNS port even when DNS redirection is off.
  for (const { iface, cidr } of plan.vnet) {
    rules.push(
      insertRule(
        'PREROUTING',
        `redirect DNS requests on interface ${iface} to the kuma-dp DNS proxy (listening on port ${dns.port})`,
        inInterface(iface),
        match('udp'),
        protocol('udp', dport(DNS_PORT)),
        redirectTo(dns.port),
      ),
      insertRule(
        'PREROUTING',
        `redirect TCP traffic on interface ${iface}, excluding destination ${cidr}, to the envoy's outbound passthrough port ${outbound.port}`,
        destination(cidr, true),
        inInterface(iface),
        protocol('tcp'),
        redirectTo(outbound.port),
      ),
    );
  }
  rules.push(
    insertRule(
      'PREROUTING',
      'redirect remaining TCP traffic to our custom chain for processing',
      protocol('tcp'),
      jump(inbound.chain),
    ),
  );
  return rules;
}

/** One RETURN per excluded TCP port (used only when no include list is set). */
function excludedPortRules(chain: string, direction: 'inbound' | 'outbound', ports: readonly number[]): Rule[] {
  return ports.map((port) =>
    appendRule(chain, `exclude ${direction} traffic from port ${port} from redirection`, protocol('tcp', dport(port)), jumpReturn()),
  );
}

/** KUMA_MESH_INBOUND: excluded sources and ports return, the rest goes to the inbound redirect chain. */
function meshInboundRules({ inbound }: FamilyPlan): Rule[] {
  const chain = inbound.chain;
  if (!inbound.enabled) {
    return [appendRule(chain, 'inbound traffic redirection is disabled', protocol('tcp'), jumpReturn())];
  }
  const rules = inbound.ipExclusions.map((address) =>
    appendRule(chain, 'skip further processing for configured IP address', source(address), jumpReturn()),
  );
  for (const port of inbound.includePorts) {
    rules.push(
      appendRule(
        chain,
        `redirect inbound traffic from port ${port} to the custom chain for processing`,
        protocol('tcp', dport(port)),
        jump(inbound.redirectChain),
      ),
    );
  }
  if (inbound.includePorts.length === 0) {
    rules.push(...excludedPortRules(chain, 'inbound', inbound.excludePorts));
    rules.push(
      appendRule(
        chain,
        'redirect all inbound traffic to the custom chain for processing',
        protocol('tcp'),
        jump(inbound.redirectChain),
      ),
    );
  }
  return rules;
}

/** KUMA_MESH_OUTBOUND: exclusions, loopback and kuma-dp handling, then the outbound redirect chain. */
function meshOutboundRules(plan: FamilyPlan): Rule[] {
  const { outbound, inbound, kumaDPUid: uid, loopbackName: lo, localhostCidr: localhost } = plan;
  const chain = outbound.chain;
  if (!outbound.enabled) {
    return [appendRule(chain, 'outbound traffic redirection is disabled', protocol('tcp'), jumpReturn())];
  }
  const rules: Rule[] = [];
  if (outbound.includePorts.length === 0) rules.push(...excludedPortRules(chain, 'outbound', outbound.excludePorts));
  // 2.13: with DNS on, kuma-dp's and the apps' TCP DNS to loopback is not hairpinned.
  const tcpExceptDns = () => (plan.dns.enabled ? protocol('tcp', dport(DNS_PORT, true)) : protocol('tcp'));
  rules.push(
    appendRule(
      chain,
      `prevent traffic loops by ensuring traffic from the sidecar proxy (using ${plan.inboundPassthroughCidr}) to loopback interface is not redirected again`,
      source(plan.inboundPassthroughCidr),
      outInterface(lo),
      jumpReturn(),
    ),
    appendRule(
      chain,
      `redirect outbound TCP traffic (except to DNS port ${DNS_PORT}) destined for loopback interface, but not targeting address ${localhost}, and owned by UID ${uid} (kuma-dp user) to ${inbound.redirectChain} chain for proper handling`,
      tcpExceptDns(),
      outInterface(lo),
      destination(localhost, true),
      ownerUid(uid),
      jump(inbound.redirectChain),
    ),
    appendRule(
      chain,
      `return outbound TCP traffic (except to DNS port ${DNS_PORT}) destined for loopback interface, owned by any UID other than ${uid} (kuma-dp user)`,
      tcpExceptDns(),
      outInterface(lo),
      ownerUid(uid, true),
      jumpReturn(),
    ),
    appendRule(chain, `return outbound traffic owned by UID ${uid} (kuma-dp user)`, ownerUid(uid), jumpReturn()),
    appendRule(
      chain,
      `return traffic destined for localhost (${localhost}) to avoid redirection`,
      destination(localhost),
      jumpReturn(),
    ),
  );
  for (const port of outbound.includePorts) {
    rules.push(
      appendRule(
        chain,
        `redirect outbound TCP traffic to port ${port} to our custom chain for further processing`,
        protocol('tcp', dport(port)),
        jump(outbound.redirectChain),
      ),
    );
  }
  if (outbound.includePorts.length === 0) {
    rules.push(
      appendRule(
        chain,
        'redirect all other outbound traffic to our custom chain for further processing',
        jump(outbound.redirectChain),
      ),
    );
  }
  return rules;
}

/** KUMA_MESH_*_REDIRECT: the REDIRECT to Envoy's listener. */
const redirectChainRule = (flow: FlowPlan): Rule =>
  appendRule(flow.redirectChain, `redirect TCP traffic to envoy (port ${flow.port})`, protocol('tcp'), redirectTo(flow.port));

export function buildNatTable(plan: FamilyPlan): Table {
  const { inbound, outbound } = plan;
  return {
    name: 'nat',
    customChains: [inbound.chain, outbound.chain, inbound.redirectChain, outbound.redirectChain],
    rules: [
      ...outputRules(plan),
      ...preroutingRules(plan),
      ...meshInboundRules(plan),
      ...meshOutboundRules(plan),
      redirectChainRule(inbound),
      redirectChainRule(outbound),
    ],
  };
}
