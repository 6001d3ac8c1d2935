// config + profile → what to render per IP family, following Kuma 2.13.10's
// Config.Initialize: kuma-dp UID, then per family DNS, vnet, inbound and
// outbound (same order, same messages), comments, drop-invalid and the IPv6
// gate. Adds one refusal of ours: unparsable nameservers (docs/tproxy-rules.md).
// Inbound UID exclusions are refused earlier, by the config loader.

import { ConfigError, parseExcludePortsForIPs, parseExcludePortsForUIDs, parseGoIp, parseVnetNetworks, type TrafficFlowConfig, type TransparentProxyConfig } from '../config/index.ts';
import type { EnvironmentProfile, FamilyProfile, IpFamily } from '../profile/index.ts';
import { RenderError } from './errors.ts';
import type { DnsPlan, DnsServer, FamilyPlan, FlowPlan } from './family-plan.ts';
import { formatGoIp, isGoLoopback } from './go-ip.ts';

export interface RulesPlan {
  ipv4: FamilyPlan;
  ipv6?: FamilyPlan;
  /** Kuma's warning lines (`# [iptables] [WARNING] …`), in Kuma's order. */
  warnings: string[];
}

export const DEFAULT_KUMA_DP_UID = '5678';
export const DEFAULT_KUMA_DP_USER = 'kuma-dp';

const FAMILY_NAME: Record<IpFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
const LOG_PREFIX: Record<IpFamily, string> = { ipv4: 'iptables', ipv6: 'ip6tables' };
const LOCALHOST: Record<IpFamily, string> = { ipv4: '127.0.0.1/32', ipv6: '::1/128' };
const INBOUND_PASSTHROUGH: Record<IpFamily, string> = { ipv4: '127.0.0.6/32', ipv6: '::6/128' };

type Users = EnvironmentProfile['users'];

/** Go's user.LookupId (numeric text equal to the passwd UID field), then user.Lookup by name. */
function findUid(users: Users, userOrUid: string): string | undefined {
  const byId = /^[+-]?[0-9]+$/.test(userOrUid) ? users.find((u) => String(u.uid) === userOrUid) : undefined;
  const found = byId ?? users.find((u) => u.name === userOrUid);
  return found && String(found.uid);
}

/** Kuma's InitializeKumaDPUser: verbatim in CNI mode (host passwd is irrelevant), else looked up. */
export function resolveKumaDPUid(config: TransparentProxyConfig, users: Users): string {
  const user = config.kumaDPUser;
  if (config.cniMode) return user === '' ? DEFAULT_KUMA_DP_UID : user;
  if (user !== '') {
    const uid = findUid(users, user);
    if (uid === undefined) {
      throw new RenderError(
        'KUMA_DP_USER_NOT_FOUND',
        `the specified UID or username ('${user}') does not refer to a valid user on the host`,
      );
    }
    return uid;
  }
  const uid = findUid(users, DEFAULT_KUMA_DP_UID) ?? findUid(users, DEFAULT_KUMA_DP_USER);
  if (uid === undefined) {
    throw new RenderError(
      'KUMA_DP_USER_DEFAULT_NOT_FOUND',
      `no UID or username provided, and user with the default UID ('${DEFAULT_KUMA_DP_UID}') or username ('${DEFAULT_KUMA_DP_USER}') could not be found`,
    );
  }
  return uid;
}

/**
 * Re-throws a configuration parser's error inside Kuma's context chain
 * (`unable to initialize IPv4 redirect configuration: unable to initialize .Outbound: …`).
 */
function inRedirectContext<T>(family: IpFamily, step: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new RenderError(
      'REDIRECT_CONFIG_INVALID',
      `unable to initialize ${FAMILY_NAME[family]} redirect configuration: unable to initialize .${step}: ${error.message}`,
    );
  }
}

/**
 * The resolv.conf nameservers of `family`, in file order, as Go prints them.
 * Go's family test (`To4() != nil`) files a value that is not an IP address
 * under IPv6, where Kuma then renders the DNS rules without `-d`, capturing all
 * IPv6 DNS; we refuse such a value when IPv6 rules are rendered.
 */
function nameserversOf(family: IpFamily, nameservers: readonly string[], resolvConfigPath: string): DnsServer[] {
  const servers: DnsServer[] = [];
  for (const raw of nameservers) {
    const ip = parseGoIp(raw);
    if (ip === undefined && family === 'ipv6') {
      throw new RenderError(
        'NAMESERVER_INVALID',
        `unable to initialize IPv6 redirect configuration: unable to initialize .DNS: nameserver '${raw}' in ${resolvConfigPath} is not an IP address (Kuma 2.13 would redirect all IPv6 DNS traffic because of it); fix the file, redirect all DNS traffic (--redirect-all-dns-traffic) or use --ip-family-mode ipv4`,
      );
    }
    if (ip !== undefined && ip.isIPv4 === (family === 'ipv4')) {
      servers.push({ address: formatGoIp(ip), loopback: isGoLoopback(ip) });
    }
  }
  return servers;
}

/** Kuma's Functionality.ConntrackZoneSplit(). */
const canSplitConntrackZones = (fp: FamilyProfile): boolean =>
  fp.tables.nat && fp.tables.raw && fp.modules.conntrack && fp.modules.udp && fp.modules.owner;

function planDns(
  family: IpFamily,
  config: TransparentProxyConfig,
  fp: FamilyProfile,
  nameservers: readonly string[],
  warn: (message: string) => void,
): DnsPlan {
  const dns = config.redirect.dns;
  const plan: DnsPlan = {
    enabled: dns.enabled,
    port: dns.port,
    captureAll: dns.captureAll,
    conntrackZoneSplit: false,
    servers: [],
    dockerOutput: fp.dockerOutput,
  };
  if (!dns.enabled) return plan;
  if (!dns.skipConntrackZoneSplit) {
    if (!canSplitConntrackZones(fp)) {
      warn("conntrack zone splitting is disabled. This requires the 'conntrack' iptables module");
    } else if (fp.dockerOutput && dns.captureAll) {
      warn('conntrack zone splitting is unsupported when capturing all DNS traffic inside Docker containers with custom networks');
    } else {
      plan.conntrackZoneSplit = true;
    }
  }
  if (dns.captureAll) return plan;
  plan.servers = nameserversOf(family, nameservers, dns.resolvConfigPath);
  if (plan.servers.length === 0) {
    plan.enabled = false;
    plan.conntrackZoneSplit = false;
    warn(
      `no ${FAMILY_NAME[family]} DNS servers found in ${dns.resolvConfigPath}. DNS traffic capture for ${FAMILY_NAME[family]} will be disabled`,
    );
  }
  return plan;
}

function planFlow(family: IpFamily, step: 'Inbound' | 'Outbound', flow: TrafficFlowConfig, prefix: string): FlowPlan {
  return inRedirectContext(family, step, () => {
    if (flow.chainName === '') throw new ConfigError('no chain name provided');
    if (flow.redirectChainName === '') throw new ConfigError('no redirect chain name provided');
    const uidExclusions = parseExcludePortsForUIDs(flow.excludePortsForUIDs);
    const ipExclusions = parseExcludePortsForIPs(flow.excludePortsForIPs, family);
    return {
      enabled: flow.enabled,
      port: flow.port,
      chain: `${prefix}_${flow.chainName}`,
      redirectChain: `${prefix}_${flow.redirectChainName}`,
      includePorts: flow.includePorts,
      excludePorts: flow.excludePorts,
      uidExclusions,
      ipExclusions,
      insertRedirectInsteadOfAppend: flow.insertRedirectInsteadOfAppend,
    };
  });
}

function planFamily(
  family: IpFamily,
  config: TransparentProxyConfig,
  profile: EnvironmentProfile,
  kumaDPUid: string,
  warnings: string[],
): FamilyPlan {
  const fp = profile[family];
  const warn = (message: string) => warnings.push(`# [${LOG_PREFIX[family]}] [WARNING] ${message}`);
  const { redirect } = config;
  const dns = planDns(family, config, fp, profile.nameservers, warn);
  const vnet = inRedirectContext(family, 'VNet', () => parseVnetNetworks(redirect.vnet.networks, family));
  const inbound = planFlow(family, 'Inbound', redirect.inbound, redirect.namePrefix);
  const outbound = planFlow(family, 'Outbound', redirect.outbound, redirect.namePrefix);
  return {
    family,
    verbose: config.verbose,
    commentsEnabled: !config.comments.disabled && fp.modules.comment,
    kumaDPUid,
    loopbackName: profile.loopbackName,
    localhostCidr: LOCALHOST[family],
    inboundPassthroughCidr: INBOUND_PASSTHROUGH[family],
    inbound,
    outbound,
    dns,
    vnet,
    log: { enabled: config.log.enabled, level: config.log.level },
    dropInvalidPackets: config.dropInvalidPackets && fp.tables.mangle,
  };
}

/** IPv6 rules need dualstack mode, a usable IPv6 setup and working ip6tables executables (Kuma's gate). */
const ipv6Enabled = (config: TransparentProxyConfig, profile: EnvironmentProfile): boolean =>
  config.ipFamilyMode === 'dualstack' && profile.ipv6Usable && profile.ipv6.executables !== undefined;

export function planRules(config: TransparentProxyConfig, profile: EnvironmentProfile): RulesPlan {
  const kumaDPUid = resolveKumaDPUid(config, profile.users);
  const warnings: string[] = [];
  const plan: RulesPlan = {
    ipv4: planFamily('ipv4', config, profile, kumaDPUid, warnings),
    warnings,
  };
  if (ipv6Enabled(config, profile)) {
    plan.ipv6 = planFamily('ipv6', config, profile, kumaDPUid, warnings);
  }
  return plan;
}
