// Kuma 2.13.10's legacy fallback (kumahq/kuma@v2.13.10:
// app/cni/pkg/cni/{annotations_linux.go,injector_linux.go}): without the
// `traffic.kuma.io/transparent-proxy-config` annotation, the plugin builds
// its config from the individual annotations with its own defaults and
// quirks, kept here on purpose because pods injected by a 2.13 control plane
// rely on them (docs/cni.md "Legacy annotations"):
// - 9901 is excluded inbound and outbound unless the annotations say otherwise,
//   and the probe-proxy port (default 9001, `0` = none) is added inbound;
// - annotations are validated with trimming, then converted without it
//   (` 80` passes validation and then fails); an empty exclude list fails;
// - booleans accept only enabled/disabled/true/false (any case): `yes` fails;
// - `ipv6` passes validation and then fails as an IP family mode.
// Kuma walks its annotation table in Go map order, so which of two bad
// annotations is reported varies; here it is always the table order. Pure.
import { ConfigError, defaultConfig, parseGoCidr, parseGoIp, parseIpFamilyMode, parsePort, type TransparentProxyConfig } from '../config/index.ts';
import { CniError } from './errors.ts';

export type Annotations = ReadonlyMap<string, string>;

/** Go `strconv.ParseUint(s, 10, 16)` with its error text. */
function goParseUint16(s: string): number {
  const quoted = JSON.stringify(s.slice(0, 256));
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${quoted}: invalid syntax`);
  const digits = s.replace(/^0+/, '') || '0';
  if (digits.length > 5 || Number(digits) > 0xffff) throw new Error(`strconv.ParseUint: parsing ${quoted}: value out of range`);
  return Number(digits);
}

const quote = (s: string) => JSON.stringify(s.slice(0, 256));

function parsePortItem(item: string): number {
  try {
    return goParseUint16(item.trim());
  } catch (error) {
    throw new Error(`failed parsing port ${quote(item)}: ${(error as Error).message}`);
  }
}

function validatePortList(value: string): void {
  const trimmed = value.trim();
  if (trimmed === '') return;
  try {
    for (const item of trimmed.split(',')) parsePortItem(item);
  } catch (error) {
    throw new Error(`portList ${quote(value)}: ${(error as Error).message}`);
  }
}

function validateIpFamilyMode(value: string): void {
  if (value === '') throw new Error('value is empty');
  if (!['dualstack', 'ipv4', 'ipv6'].includes(value)) throw new Error(`value '${value.slice(0, 256)}' is not a valid IP family mode`);
}

function validateIPs(value: string): void {
  const trimmed = value.trim();
  if (trimmed === '') throw new Error('IPs cannot be empty');
  for (const raw of trimmed.split(',')) {
    const address = raw.trim();
    if (parseGoCidr(address) || parseGoIp(address)) continue;
    throw new Error(
      `invalid IP address: '${address.slice(0, 256)}'. Expected format: <ip> or <ip>/<cidr> (e.g., 10.0.0.1, 172.16.0.0/16, fe80::1, fe80::/10)`,
    );
  }
}

const anything = (): void => undefined;

/** Kuma's annotationRegistry: the fields the fallback reads, their annotation, default and validator. */
const REGISTRY = {
  outboundPort: ['kuma.io/transparent-proxying-outbound-port', '15001', validatePortList],
  inboundPort: ['kuma.io/transparent-proxying-inbound-port', '15006', validatePortList],
  ipFamilyMode: ['kuma.io/transparent-proxying-ip-family-mode', 'dualstack', validateIpFamilyMode],
  excludeInboundPorts: ['traffic.kuma.io/exclude-inbound-ports', '9901', validatePortList],
  excludeOutboundPorts: ['traffic.kuma.io/exclude-outbound-ports', '9901', validatePortList],
  isGateway: ['kuma.io/gateway', 'false', anything],
  builtinDNS: ['kuma.io/builtin-dns', 'false', anything],
  builtinDNSPort: ['kuma.io/builtin-dns-port', '15053', validatePortList],
  excludeOutboundPortsForUIDs: ['traffic.kuma.io/exclude-outbound-ports-for-uids', '', anything],
  noRedirectUID: ['kuma.io/sidecar-uid', '5678', anything],
  applicationProbeProxyPort: ['kuma.io/application-probe-proxy-port', '9001', (v: string) => void parsePortItem(v)],
  dropInvalidPackets: ['traffic.kuma.io/drop-invalid-packets', 'false', anything],
  iptablesLogs: ['traffic.kuma.io/iptables-logs', 'false', anything],
  excludeInboundIPs: ['traffic.kuma.io/exclude-inbound-ips', '', validateIPs],
  excludeOutboundIPs: ['traffic.kuma.io/exclude-outbound-ips', '', validateIPs],
  // Our extension (docs/nftables.md): the injector writes it next to Kuma's annotations.
  nftables: ['traffic.kuma.io/nftables', 'false', anything],
} as const satisfies Record<string, readonly [string, string, (value: string) => void]>;

export type IntermediateConfig = Record<keyof typeof REGISTRY, string>;

/** NewIntermediateConfig: each field from its annotation (validated) or its default; then the probe port joins the inbound excludes. */
export function intermediateConfig(annotations: Annotations): IntermediateConfig {
  const result = {} as IntermediateConfig;
  for (const [field, [key, fallback, validate]] of Object.entries(REGISTRY) as Array<[keyof typeof REGISTRY, (typeof REGISTRY)[keyof typeof REGISTRY]]>) {
    const value = annotations.get(key);
    if (value === undefined) {
      result[field] = fallback;
      continue;
    }
    try {
      validate(value);
    } catch (error) {
      throw new CniError('LEGACY_ANNOTATIONS', `pod intermediate config failed due to bad params: ${(error as Error).message}`);
    }
    result[field] = value;
  }
  const probe = result.applicationProbeProxyPort;
  if (probe !== '0') result.excludeInboundPorts = result.excludeInboundPorts === '' ? probe : `${result.excludeInboundPorts},${probe}`;
  return result;
}

/** convertCommaSeparatedString: split on `,` without trimming, every item a uint16 (so `""` fails). */
function portsNoTrim(list: string): number[] {
  return list.split(',').map((value, i) => {
    try {
      return goParseUint16(value);
    } catch (error) {
      throw new Error(`could not convert field ${i}: ${(error as Error).message}`);
    }
  });
}

/** The CNI's own GetEnabled: case-insensitive enabled/true/disabled/false, anything else fails. */
export function getEnabled(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'enabled' || lower === 'true') return true;
  if (lower === 'disabled' || lower === 'false') return false;
  throw new Error(`wrong value "${value.slice(0, 256)}", available values are: "enabled", "disabled", "true", "false"`);
}

function setPort(value: string, what: string): number {
  try {
    return parsePort(value);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new Error(`failed to set ${what} to '${value.slice(0, 256)}': ${error.message}`);
  }
}

/** mapToConfig: the intermediate strings onto DefaultConfig(), in Kuma's order of checks. */
export function mapToConfig(ic: IntermediateConfig): TransparentProxyConfig {
  const cfg = defaultConfig();
  const { outbound, inbound, dns } = cfg.redirect;
  cfg.cniMode = true;
  cfg.verbose = true;
  cfg.kumaDPUser = ic.noRedirectUID;
  outbound.enabled = true;
  outbound.excludePorts = portsNoTrim(ic.excludeOutboundPorts);
  if (ic.excludeOutboundPortsForUIDs !== '') outbound.excludePortsForUIDs = ic.excludeOutboundPortsForUIDs.split(';');
  outbound.port = setPort(ic.outboundPort, 'outbound port');
  if (ic.excludeOutboundIPs !== '') outbound.excludePortsForIPs = ic.excludeOutboundIPs.split(',');
  cfg.dropInvalidPackets = getEnabled(ic.dropInvalidPackets);
  cfg.log.enabled = getEnabled(ic.iptablesLogs);
  cfg.nftables = getEnabled(ic.nftables);
  const gateway = getEnabled(ic.isGateway);
  try {
    cfg.ipFamilyMode = parseIpFamilyMode(ic.ipFamilyMode);
  } catch (error) {
    throw error instanceof ConfigError ? new Error(error.message) : error;
  }
  inbound.enabled = !gateway;
  if (inbound.enabled) {
    inbound.port = setPort(ic.inboundPort, 'inbound port');
    inbound.excludePorts = portsNoTrim(ic.excludeInboundPorts);
    if (ic.excludeInboundIPs !== '') inbound.excludePortsForIPs = ic.excludeInboundIPs.split(',');
  }
  dns.enabled = getEnabled(ic.builtinDNS);
  if (dns.enabled) {
    dns.port = setPort(ic.builtinDNSPort, 'builtin dns port');
    dns.captureAll = true;
    dns.skipConntrackZoneSplit = false;
  }
  return cfg;
}

/** The whole fallback: annotations → config, or a CniError with Kuma's wording. */
export function configFromLegacyAnnotations(annotations: Annotations): TransparentProxyConfig {
  const ic = intermediateConfig(annotations);
  try {
    return mapToConfig(ic);
  } catch (error) {
    throw new CniError('LEGACY_ANNOTATIONS', `could not inject rules into namespace: ${(error as Error).message}`);
  }
}
