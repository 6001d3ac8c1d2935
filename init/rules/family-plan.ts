// What to render for one IP family: the configuration resolved against the
// environment profile (kuma-dp UID, DNS servers of this family, conntrack
// split decision, comments, vnet networks of this family, …). The table
// builders read only this.

import type { IpFamily } from '../profile/index.ts';
import type { L4Protocol } from './params.ts';

/** An `excludePortsForUIDs` entry for one protocol, ports and UIDs already in iptables form (`1000:2000`). */
export interface UidExclusion {
  protocol: L4Protocol;
  ports: string;
  uids: string;
}

export interface FlowPlan {
  enabled: boolean;
  port: number;
  /** `KUMA_MESH_INBOUND` / `KUMA_MESH_OUTBOUND`. */
  chain: string;
  /** `KUMA_MESH_INBOUND_REDIRECT` / `KUMA_MESH_OUTBOUND_REDIRECT`. */
  redirectChain: string;
  includePorts: readonly number[];
  excludePorts: readonly number[];
  /** Outbound only: rendered in nat OUTPUT. */
  uidExclusions: readonly UidExclusion[];
  /** Addresses of this family, as written in the configuration. */
  ipExclusions: readonly string[];
  insertRedirectInsteadOfAppend: boolean;
}

export interface DnsServer {
  /** The address as Go's net.IP prints it (`10.96.0.10`, `fd00::a`). */
  address: string;
  loopback: boolean;
}

export interface DnsPlan {
  /** DNS redirection for this family: configured, and servers found unless capturing all. */
  enabled: boolean;
  port: number;
  captureAll: boolean;
  conntrackZoneSplit: boolean;
  /** Nameservers of this family, in resolv.conf order (empty with captureAll). */
  servers: readonly DnsServer[];
  /** Docker's DOCKER_OUTPUT chain exists: kuma-dp's DNS jumps there instead of returning. */
  dockerOutput: boolean;
}

export interface VnetNetwork {
  iface: string;
  cidr: string;
}

export interface FamilyPlan {
  family: IpFamily;
  verbose: boolean;
  commentsEnabled: boolean;
  kumaDPUid: string;
  loopbackName: string;
  /** `127.0.0.1/32` or `::1/128`. */
  localhostCidr: string;
  /** Source address of Envoy's inbound passthrough: `127.0.0.6/32` or `::6/128`. */
  inboundPassthroughCidr: string;
  inbound: FlowPlan;
  outbound: FlowPlan;
  dns: DnsPlan;
  /** This family's networks, sorted by interface name. */
  vnet: readonly VnetNetwork[];
  log: { enabled: boolean; level: number };
  dropInvalidPackets: boolean;
}
