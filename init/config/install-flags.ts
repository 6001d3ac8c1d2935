// The flags of `kumactl install transparent-proxy` 2.13.10
// (app/kumactl/cmd/install/install_transparent_proxy.go), in Kuma's order,
// with kumactl's hidden inherited globals and our `--iptables-mode`.
import type { TransparentProxyConfig } from './config.ts';
import { applyExecutablesSpec } from './executables.ts';
import { getAt, setAt } from './fields.ts';
import { parseGoBool, parseGoUint } from './go-values.ts';
import { allowedIpFamilyModes, parseIpFamilyMode } from './ip-family-mode.ts';
import { parseIptablesMode } from './iptables-mode.ts';
import { parseJsonDuration } from './json-duration.ts';
import { kumactlGlobalFlags } from './kumactl-global-flags.ts';
import type { FlagDef } from './pflag.ts';
import { parsePort, parsePorts } from './ports.ts';

export interface InstallFlagState {
  config: TransparentProxyConfig;
  /** `--config` values in order. */
  configValues: string[];
  /** Deprecated `--config-file`, loaded before `--config`. */
  configFile: string;
  help: boolean;
  /** pflag string-array semantics: the first Set on the command line replaces, later ones append. */
  arraysSet: Set<string>;
}

export type InstallFlag = FlagDef<InstallFlagState>;

/** Flags applied in Kuma's first pass (before config files are read). */
export const firstPassFlags = new Set(['help', 'dry-run', 'config', 'config-file', 'redirect-dns', 'redirect-all-dns-traffic']);

type Setter = (state: InstallFlagState, value: string) => void;

const at =
  (path: string, parse: (value: string) => unknown): Setter =>
  (state, value) =>
    setAt(state.config, path.split('.'), parse(value));

const stringArray =
  (path: string): Setter =>
  (state, value) => {
    const list = state.arraysSet.has(path) ? [...(getAt(state.config, path.split('.')) as string[]), value] : [value];
    state.arraysSet.add(path);
    setAt(state.config, path.split('.'), list);
  };

const identity = (value: string) => value;
const uint = (value: string) => parseGoUint(value, 64);

function flag(name: string, typeName: string, set: Setter, usage: string, extra: Partial<InstallFlag> = {}): InstallFlag {
  return { name, typeName, boolean: false, set, usage, ...extra };
}

function boolFlag(name: string, path: string, usage: string, extra: Partial<InstallFlag> = {}): InstallFlag {
  return { name, typeName: '', boolean: true, set: at(path, parseGoBool), usage, ...extra };
}

export const installFlags: readonly InstallFlag[] = [
  boolFlag('dry-run', 'dryRun', 'dry run'),
  boolFlag('verbose', 'verbose', 'verbose'),
  flag('ip-family-mode', 'string', at('ipFamilyMode', parseIpFamilyMode), `The IP family mode to enable traffic redirection for. Can be ${allowedIpFamilyModes}`, {
    defaultText: 'dualstack',
  }),
  flag('redirect-outbound-port', 'uint16', at('redirect.outbound.port', parsePort), 'outbound port redirected to Envoy', { defaultText: '15001' }),
  boolFlag('redirect-inbound', 'redirect.inbound.enabled', 'redirect the inbound traffic to the Envoy. Should be disabled for Gateway data plane proxies.', {
    defaultText: 'true',
  }),
  flag('redirect-inbound-port', 'uint16', at('redirect.inbound.port', parsePort), 'inbound port redirected to Envoy', { defaultText: '15006' }),
  flag('exclude-inbound-ports', 'uint16[,...]', at('redirect.inbound.excludePorts', parsePorts), 'a comma separated list of inbound ports to exclude from redirect to Envoy'),
  flag('exclude-outbound-ports', 'uint16[,...]', at('redirect.outbound.excludePorts', parsePorts), 'a comma separated list of outbound ports to exclude from redirect to Envoy'),
  flag('kuma-dp-user', 'string', at('kumaDPUser', identity), "the username or UID of the user that will run kuma-dp. If not provided, the system will search for a user with the default UID ('5678') or the default username ('kuma-dp')"),
  flag('kuma-dp-uid', 'string', at('kumaDPUser', identity), 'the uid of the user that will run kuma-dp', {
    deprecated: 'please use --kuma-dp-user, which accepts both UIDs and usernames',
  }),
  boolFlag('redirect-dns', 'redirect.dns.enabled', 'redirect only DNS requests targeted to the servers listed in /etc/resolv.conf to a specified port'),
  boolFlag('redirect-all-dns-traffic', 'redirect.dns.captureAll', 'redirect all DNS traffic to a specified port, unlike --redirect-dns this will not be limited to the dns servers identified in /etc/resolve.conf'),
  flag('redirect-dns-port', 'uint16', at('redirect.dns.port', parsePort), 'the port where the DNS agent is listening', { defaultText: '15053' }),
  boolFlag('store-firewalld', 'storeFirewalld', 'store the iptables changes with firewalld'),
  boolFlag('skip-dns-conntrack-zone-split', 'redirect.dns.skipConntrackZoneSplit', 'disable the conntrack zone split that separates DNS traffic between the application, the local proxy and upstream resolvers'),
  boolFlag('drop-invalid-packets', 'dropInvalidPackets', 'drop packets in invalid conntrack states (helps when out-of-order packets bypass DNAT)'),
  boolFlag('ebpf-enabled', 'ebpf.enabled', 'use ebpf instead of iptables to install transparent proxy (refused: eBPF cannot work in Kuma 2.13)'),
  flag('ebpf-programs-source-path', 'string', at('ebpf.programsSourcePath', identity), 'path where compiled ebpf programs and other necessary for ebpf mode files can be found', {
    defaultText: '"/tmp/kuma-ebpf"',
  }),
  flag('ebpf-instance-ip', 'string', at('ebpf.instanceIP', identity), 'IP address of the instance (pod/vm) where transparent proxy will be installed'),
  flag('ebpf-bpffs-path', 'string', at('ebpf.bpffsPath', identity), 'the path of the BPF filesystem', { defaultText: '"/run/kuma/bpf"' }),
  flag('ebpf-cgroup-path', 'string', at('ebpf.cgroupPath', identity), 'the path of cgroup2', { defaultText: '"/sys/fs/cgroup"' }),
  flag('ebpf-tc-attach-iface', 'string', at('ebpf.tcAttachIface', identity), 'name of the interface which TC eBPF programs should be attached to'),
  flag('exclude-outbound-ports-for-uids', 'stringArray', stringArray('redirect.outbound.excludePortsForUIDs'), 'outbound ports to exclude for specific uids in a format of protocol:ports:uids, e.g. 53,3000-5000:106-108'),
  flag('vnet', 'stringArray', stringArray('redirect.vnet.networks'), 'virtual networks in a format of interfaceNameRegex:CIDR, e.g. docker0:172.17.0.0/16, br+:172.18.0.0/16, iface:::1/64'),
  flag('wait', 'uint', at('wait', uint), 'seconds to wait for the xtables exclusive lock (0 = no --wait flag)', { defaultText: '5' }),
  flag('wait-interval', 'uint', at('waitInterval', uint), 'microseconds between xtables lock attempts'),
  flag('max-retries', 'uint', at('retry.maxRetries', uint), 'maximum number of times to retry an installation before giving up', { defaultText: '4' }),
  flag('sleep-between-retries', 'duration', at('retry.sleepBetweenRetries', parseJsonDuration), 'time to sleep between retries (Kuma parses the value as JSON: \'"2s"\' or nanoseconds)', {
    defaultText: '2s',
  }),
  boolFlag('iptables-logs', 'log.enabled', 'enable logs for iptables rules using the LOG chain'),
  boolFlag('disable-comments', 'comments.disabled', 'Disable the addition of comments to iptables rules'),
  flag('exclude-inbound-ips', 'stringArray', stringArray('redirect.inbound.excludePortsForIPs'), 'IP addresses or CIDRs to exclude from inbound redirection (repeatable, comma separated)'),
  flag('exclude-outbound-ips', 'stringArray', stringArray('redirect.outbound.excludePortsForIPs'), 'IP addresses or CIDRs to exclude from outbound redirection (repeatable, comma separated)'),
  boolFlag('redirect-inbound-insert-instead-of-append', 'redirect.inbound.insertRedirectInsteadOfAppend', "insert the PREROUTING jump to KUMA_MESH_INBOUND at the top of the chain instead of appending it"),
  boolFlag('redirect-outbound-insert-instead-of-append', 'redirect.outbound.insertRedirectInsteadOfAppend', 'insert the OUTPUT jump to KUMA_MESH_OUTBOUND at the top of the chain instead of appending it'),
  flag(
    'iptables-executables',
    'name:path[,name:path...]',
    (state, value) => (state.config.iptablesExecutables = applyExecutablesSpec(state.config.iptablesExecutables, value)),
    "custom paths for iptables executables: iptables, iptables-save, iptables-restore, ip6tables, ip6tables-save, ip6tables-restore",
  ),
  flag(
    'config',
    'stringArray',
    (state, value) => state.configValues.push(value),
    "Transparent proxy configuration (YAML or JSON). This flag can be repeated; '-' reads STDIN. Later values override earlier ones.",
  ),
  flag('config-file', 'string', (state, value) => (state.configFile = value), 'path to the file containing the transparent proxy configuration in YAML or JSON format', {
    deprecated: 'please use --config',
  }),
  flag('iptables-mode', 'string', at('iptablesMode', parseIptablesMode), "kuma-init: iptables backend, 'auto' (probe as Kuma does), 'legacy' or 'nft'", {
    defaultText: 'auto',
  }),
  boolFlag('nftables', 'nftables', 'kuma-init: install the rules as one native nftables table (inet kuma) in a single nft transaction, instead of iptables'),
  { name: 'help', shorthand: 'h', typeName: '', boolean: true, usage: 'show this help message', set: (state, value) => (state.help = parseGoBool(value)) },
  // The local --config-file above shadows kumactl's global one.
  ...kumactlGlobalFlags<InstallFlagState>({ withConfigFile: false }),
];
