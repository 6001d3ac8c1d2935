// Every settable field of TransparentProxyConfig with the Go type Kuma 2.13.10
// gives it, in Go struct order. One table drives both the YAML/JSON loader
// (json keys, Go type names in messages) and the env var loader (envconfig
// key, unprefixed fallback, field name), so the two cannot drift apart.
import type { TransparentProxyConfig } from './config.ts';

/** How a value is decoded; the Unmarshaler kinds run Kuma's own Set/UnmarshalJSON logic. */
export type FieldKind =
  | 'bool'
  | 'uint'
  | 'uint16'
  | 'string'
  | 'strings'
  | 'port'
  | 'ports'
  | 'ipFamilyMode'
  | 'duration'
  | 'executables'
  | 'iptablesMode';

export interface FieldSpec {
  /** Property path in TransparentProxyConfig, equal to the YAML key path. */
  path: readonly string[];
  kind: FieldKind;
  /** Go field name (envconfig's `assigning KEY to <FieldName>`). */
  goName: string;
  /** Go type as `reflect.Type.String()` prints it. */
  goType: string;
  /** Env var name after `KUMA_TRANSPARENT_PROXY_`; undefined = not read from the environment. */
  env?: string;
  /** Unprefixed fallback (fields with an `envconfig:"…"` tag). */
  envFallback?: string;
  /** False for fields Kuma marks `json:"-"` (env only). */
  inYaml: boolean;
}

/** Go struct type per YAML object path (for encoding/json's messages). */
export const goStructs: Record<string, { goType: string; name: string }> = {
  '': { goType: 'config.Config', name: 'Config' },
  redirect: { goType: 'config.Redirect', name: 'Redirect' },
  'redirect.inbound': { goType: 'config.TrafficFlow', name: 'TrafficFlow' },
  'redirect.outbound': { goType: 'config.TrafficFlow', name: 'TrafficFlow' },
  'redirect.dns': { goType: 'config.DNS', name: 'DNS' },
  'redirect.vnet': { goType: 'config.VNet', name: 'VNet' },
  ebpf: { goType: 'config.Ebpf', name: 'Ebpf' },
  log: { goType: 'config.Log', name: 'Log' },
  retry: { goType: 'config.Retry', name: 'Retry' },
  iptablesExecutables: { goType: 'config.Executables', name: 'Executables' },
  comments: { goType: 'config.Comments', name: 'Comments' },
};

const goTypes: Record<FieldKind, string> = {
  bool: 'bool',
  uint: 'uint',
  uint16: 'uint16',
  string: 'string',
  strings: '[]string',
  port: 'config.Port',
  ports: 'config.Ports',
  ipFamilyMode: 'config.IPFamilyMode',
  duration: 'types.Duration',
  executables: 'config.Executables',
  iptablesMode: 'string',
};

function field(
  path: string,
  kind: FieldKind,
  goName: string,
  env: string | undefined,
  options: { fallback?: string; inYaml?: boolean } = {},
): FieldSpec {
  return {
    path: path.split('.'),
    kind,
    goName,
    goType: goTypes[kind],
    env,
    envFallback: options.fallback,
    inYaml: options.inYaml ?? true,
  };
}

function trafficFlow(direction: 'inbound' | 'outbound'): FieldSpec[] {
  const p = `redirect.${direction}`;
  const e = `REDIRECT_${direction.toUpperCase()}`;
  return [
    field(`${p}.enabled`, 'bool', 'Enabled', `${e}_ENABLED`),
    field(`${p}.port`, 'port', 'Port', `${e}_PORT`),
    field(`${p}.chainName`, 'string', 'ChainName', `${e}_CHAIN_NAME`, { inYaml: false }),
    field(`${p}.redirectChainName`, 'string', 'RedirectChainName', `${e}_REDIRECT_CHAIN_NAME`, { inYaml: false }),
    field(`${p}.includePorts`, 'ports', 'IncludePorts', `${e}_INCLUDE_PORTS`),
    field(`${p}.excludePorts`, 'ports', 'ExcludePorts', `${e}_EXCLUDE_PORTS`),
    field(`${p}.excludePortsForUIDs`, 'strings', 'ExcludePortsForUIDs', `${e}_EXCLUDE_PORTS_FOR_UIDS`, {
      fallback: 'EXCLUDE_PORTS_FOR_UIDS',
    }),
    field(`${p}.excludePortsForIPs`, 'strings', 'ExcludePortsForIPs', `${e}_EXCLUDE_PORTS_FOR_IPS`, {
      fallback: 'EXCLUDE_PORTS_FOR_IPS',
    }),
    field(`${p}.insertRedirectInsteadOfAppend`, 'bool', 'InsertRedirectInsteadOfAppend', `${e}_INSERT_REDIRECT_INSTEAD_OF_APPEND`),
  ];
}

export const configFields: readonly FieldSpec[] = [
  field('kumaDPUser', 'string', 'KumaDPUser', 'KUMA_DP_USER', { fallback: 'KUMA_DP_USER' }),
  ...trafficFlow('inbound'),
  ...trafficFlow('outbound'),
  field('redirect.dns.enabled', 'bool', 'Enabled', 'REDIRECT_DNS_ENABLED'),
  field('redirect.dns.port', 'port', 'Port', 'REDIRECT_DNS_PORT'),
  field('redirect.dns.captureAll', 'bool', 'CaptureAll', 'REDIRECT_DNS_CAPTURE_ALL'),
  field('redirect.dns.skipConntrackZoneSplit', 'bool', 'SkipConntrackZoneSplit', 'REDIRECT_DNS_SKIP_CONNTRACK_ZONE_SPLIT'),
  field('redirect.dns.resolvConfigPath', 'string', 'ResolvConfigPath', 'REDIRECT_DNS_RESOLV_CONFIG_PATH'),
  field('redirect.vnet.networks', 'strings', 'Networks', 'REDIRECT_VNET_NETWORKS'),
  field('ebpf.enabled', 'bool', 'Enabled', 'EBPF_ENABLED'),
  field('ebpf.instanceIP', 'string', 'InstanceIP', 'EBPF_INSTANCE_IP', { fallback: 'INSTANCE_IP' }),
  field('ebpf.instanceIPEnvVarName', 'string', 'InstanceIPEnvVarName', 'EBPF_INSTANCE_IP_ENV_VAR_NAME', {
    fallback: 'INSTANCE_IP_ENV_VAR_NAME',
  }),
  field('ebpf.bpffsPath', 'string', 'BPFFSPath', 'EBPF_BPFFS_PATH', { fallback: 'BPFFS_PATH' }),
  field('ebpf.cgroupPath', 'string', 'CgroupPath', 'EBPF_CGROUP_PATH'),
  field('ebpf.programsSourcePath', 'string', 'ProgramsSourcePath', 'EBPF_PROGRAMS_SOURCE_PATH'),
  field('ebpf.tcAttachIface', 'string', 'TCAttachIface', 'EBPF_TC_ATTACH_IFACE', { fallback: 'TC_ATTACH_IFACE' }),
  field('dropInvalidPackets', 'bool', 'DropInvalidPackets', 'DROP_INVALID_PACKETS'),
  field('verbose', 'bool', 'Verbose', 'VERBOSE'),
  field('dryRun', 'bool', 'DryRun', 'DRY_RUN'),
  field('log.enabled', 'bool', 'Enabled', 'LOG_ENABLED'),
  field('log.level', 'uint16', 'Level', 'LOG_LEVEL'),
  field('wait', 'uint', 'Wait', 'WAIT'),
  field('waitInterval', 'uint', 'WaitInterval', 'WAIT_INTERVAL'),
  field('retry.maxRetries', 'uint', 'MaxRetries', 'RETRY_MAX_RETRIES'),
  field('retry.sleepBetweenRetries', 'duration', 'SleepBetweenRetries', 'RETRY_SLEEP_BETWEEN_RETRIES'),
  field('storeFirewalld', 'bool', 'StoreFirewalld', 'STORE_FIREWALLD'),
  // In YAML the executables are flat string keys; in the env one `name:path,…` value.
  ...(['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'] as const).map(
    (name) => field(`iptablesExecutables.${name}`, 'string', name, undefined),
  ),
  field('iptablesExecutables', 'executables', 'Executables', 'IPTABLES_EXECUTABLES', {
    fallback: 'IPTABLES_EXECUTABLES',
    inYaml: false,
  }),
  field('comments.disabled', 'bool', 'Disabled', 'COMMENTS_DISABLED'),
  field('ipFamilyMode', 'ipFamilyMode', 'IPFamilyMode', 'IP_FAMILY_MODE', { fallback: 'IP_FAMILY_MODE' }),
  field('cniMode', 'bool', 'CNIMode', 'CNI_MODE', { fallback: 'CNI_MODE' }),
  // kuma-init extensions (Kuma ignores the unknown keys).
  field('iptablesMode', 'iptablesMode', 'IptablesMode', 'IPTABLES_MODE'),
  field('nftables', 'bool', 'Nftables', 'NFTABLES'),
];

/** Reads the value at `path`. */
export function getAt(config: TransparentProxyConfig, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

/** Writes the value at `path` (the parent objects exist in every config). */
export function setAt(config: TransparentProxyConfig, path: readonly string[], value: unknown): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
  (parent as Record<string, unknown>)[path.at(-1)!] = value;
}
