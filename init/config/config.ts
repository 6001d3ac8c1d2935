// The kuma-init (kumactl install transparent-proxy 2.13) configuration, as
// Kuma 2.13.10 stores it after flags, --config sources and env vars are merged
// (pkg/transparentproxy/config/config.go). Property names are the YAML keys,
// so a config file maps 1:1 onto this type. Values stay raw where Kuma keeps
// them raw (UID/IP exclusions, vnet networks): the grammars are parsed by
// uid-exclusions.ts, ip-exclusions.ts and vnet.ts, which the renderer calls.

export type IpFamilyMode = 'dualstack' | 'ipv4';

/** Our extension (`--iptables-mode`): which iptables backend to use; `auto` probes as Kuma does. */
export type IptablesModeOption = 'auto' | 'legacy' | 'nft';

export interface TrafficFlowConfig {
  enabled: boolean;
  /** 1..65535 */
  port: number;
  /** Env-only (`..._CHAIN_NAME`); the chain is `${redirect.namePrefix}_${chainName}`. */
  chainName: string;
  /** Env-only (`..._REDIRECT_CHAIN_NAME`). */
  redirectChainName: string;
  /** When non-empty, `excludePorts` is ignored. */
  includePorts: number[];
  excludePorts: number[];
  /** Raw `<protocol:>?<ports:>?<uids>` entries; parse with parseExcludePortsForUIDs. */
  excludePortsForUIDs: string[];
  /** Raw entries, each an IP/CIDR or a comma list of them; parse with parseExcludePortsForIPs. */
  excludePortsForIPs: string[];
  insertRedirectInsteadOfAppend: boolean;
}

export interface DnsConfig {
  enabled: boolean;
  port: number;
  captureAll: boolean;
  skipConntrackZoneSplit: boolean;
  resolvConfigPath: string;
}

export interface RedirectConfig {
  /** Not configurable in Kuma: always `KUMA_MESH`. */
  namePrefix: string;
  inbound: TrafficFlowConfig;
  outbound: TrafficFlowConfig;
  dns: DnsConfig;
  /** Raw `iface:CIDR` entries; parse with parseVnetNetworks. */
  vnet: { networks: string[] };
}

/** Accepted for compatibility only: eBPF cannot work in Kuma 2.13 and kuma-init refuses `enabled: true`. */
export interface EbpfConfig {
  enabled: boolean;
  instanceIP: string;
  instanceIPEnvVarName: string;
  bpffsPath: string;
  cgroupPath: string;
  programsSourcePath: string;
  tcAttachIface: string;
}

export const executableNames = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
] as const;
export type ExecutableName = (typeof executableNames)[number];

/** Explicit executable paths (`""` = detect). Kuma's flat `iptablesExecutables` keys. */
export type IptablesExecutablesConfig = Record<ExecutableName, string>;

export interface TransparentProxyConfig {
  /** User name or UID; `""` = UID 5678, then user `kuma-dp`. Resolved by the profile/executor, not here. */
  kumaDPUser: string;
  /** Always lower case here (Kuma keeps the user's case; see docs/tproxy-config.md). */
  ipFamilyMode: IpFamilyMode;
  redirect: RedirectConfig;
  ebpf: EbpfConfig;
  dropInvalidPackets: boolean;
  verbose: boolean;
  dryRun: boolean;
  log: { enabled: boolean; level: number };
  /** xtables lock wait in seconds; 0 = no `--wait` flag (legacy backend only). */
  wait: number;
  /** Lock poll interval in microseconds; 0 = no `--wait-interval` flag (legacy backend only). */
  waitInterval: number;
  retry: {
    /** Retries after the first try (4 = 5 tries). */
    maxRetries: number;
    /** Milliseconds (Kuma stores a Go duration; may be fractional, e.g. 0.5 for 500µs). */
    sleepBetweenRetries: number;
  };
  storeFirewalld: boolean;
  iptablesExecutables: IptablesExecutablesConfig;
  comments: { disabled: boolean };
  cniMode: boolean;
  /** kuma-init extension, flag `--iptables-mode`. */
  iptablesMode: IptablesModeOption;
  /**
   * kuma-init extension, flag `--nftables`: install the rules as one native
   * nftables table (`inet kuma`, one `nft -f` transaction) instead of iptables.
   */
  nftables: boolean;
}

/** Kuma 2.13.10's DefaultConfig(), plus our `iptablesMode: 'auto'` and `nftables: false`. A fresh object on every call. */
export function defaultConfig(): TransparentProxyConfig {
  const flow = (port: number, name: 'INBOUND' | 'OUTBOUND'): TrafficFlowConfig => ({
    enabled: true,
    port,
    chainName: name,
    redirectChainName: `${name}_REDIRECT`,
    includePorts: [],
    excludePorts: [],
    excludePortsForUIDs: [],
    excludePortsForIPs: [],
    insertRedirectInsteadOfAppend: false,
  });
  return {
    kumaDPUser: '',
    ipFamilyMode: 'dualstack',
    redirect: {
      namePrefix: 'KUMA_MESH',
      inbound: flow(15006, 'INBOUND'),
      outbound: flow(15001, 'OUTBOUND'),
      dns: {
        enabled: false,
        port: 15053,
        captureAll: false,
        skipConntrackZoneSplit: false,
        resolvConfigPath: '/etc/resolv.conf',
      },
      vnet: { networks: [] },
    },
    ebpf: {
      enabled: false,
      instanceIP: '',
      instanceIPEnvVarName: '',
      bpffsPath: '/run/kuma/bpf',
      cgroupPath: '/sys/fs/cgroup',
      programsSourcePath: '/tmp/kuma-ebpf',
      tcAttachIface: '',
    },
    dropInvalidPackets: false,
    verbose: false,
    dryRun: false,
    log: { enabled: false, level: 7 },
    wait: 5,
    waitInterval: 0,
    retry: { maxRetries: 4, sleepBetweenRetries: 2000 },
    storeFirewalld: false,
    iptablesExecutables: {
      iptables: '',
      'iptables-save': '',
      'iptables-restore': '',
      ip6tables: '',
      'ip6tables-save': '',
      'ip6tables-restore': '',
    },
    comments: { disabled: false },
    cniMode: false,
    iptablesMode: 'auto',
    nftables: false,
  };
}
