// The `traffic.kuma.io/transparent-proxy-config` value: the merged config as
// sigs.k8s.io/yaml marshals Kuma's Config struct (sorted keys, empty optional
// fields left out, durations as Go text).
import { stringify } from 'yaml';
import { executableNames, type TrafficFlowConfig, type TransparentProxyConfig } from '../../../init/config/index.ts';
import { formatGoDuration } from '../../../go-compat/index.ts';

type Json = Record<string, unknown>;

/** Sets a key only when the value is not empty/false (Go `omitempty`). */
function optional(target: Json, key: string, value: unknown): void {
  if (value === false || value === '' || value === undefined || (Array.isArray(value) && value.length === 0)) return;
  target[key] = value;
}

function flow(config: TrafficFlowConfig): Json {
  const result: Json = { enabled: config.enabled };
  optional(result, 'excludePorts', config.excludePorts);
  optional(result, 'excludePortsForIPs', config.excludePortsForIPs);
  optional(result, 'excludePortsForUIDs', config.excludePortsForUIDs);
  optional(result, 'includePorts', config.includePorts);
  optional(result, 'insertRedirectInsteadOfAppend', config.insertRedirectInsteadOfAppend);
  result.port = config.port;
  return result;
}

/** The marshalled object with keys in Go's sorted order. */
export function marshalledConfig(config: TransparentProxyConfig): Json {
  const result: Json = {};
  optional(result, 'cniMode', config.cniMode);
  if (config.comments.disabled) result.comments = { disabled: true };
  optional(result, 'dropInvalidPackets', config.dropInvalidPackets);
  optional(result, 'dryRun', config.dryRun);
  if (config.ebpf.enabled) {
    const { ebpf } = config;
    result.ebpf = {
      bpffsPath: ebpf.bpffsPath,
      cgroupPath: ebpf.cgroupPath,
      enabled: true,
      instanceIP: ebpf.instanceIP,
      instanceIPEnvVarName: ebpf.instanceIPEnvVarName,
      programsSourcePath: ebpf.programsSourcePath,
      tcAttachIface: ebpf.tcAttachIface,
    };
  }
  result.ipFamilyMode = config.ipFamilyMode;
  const executables: Json = {};
  for (const name of [...executableNames].sort()) optional(executables, name, config.iptablesExecutables[name]);
  if (Object.keys(executables).length > 0) result.iptablesExecutables = executables;
  result.kumaDPUser = config.kumaDPUser;
  if (config.log.enabled) result.log = { enabled: true, level: config.log.level };
  const { dns } = config.redirect;
  result.redirect = {
    dns: {
      captureAll: dns.captureAll,
      enabled: dns.enabled,
      port: dns.port,
      resolvConfigPath: dns.resolvConfigPath,
      skipConntrackZoneSplit: dns.skipConntrackZoneSplit,
    },
    inbound: flow(config.redirect.inbound),
    outbound: flow(config.redirect.outbound),
    ...(config.redirect.vnet.networks.length > 0 ? { vnet: { networks: config.redirect.vnet.networks } } : {}),
  };
  result.retry = {
    maxRetries: config.retry.maxRetries,
    sleepBetweenRetries: formatGoDuration(Math.round(config.retry.sleepBetweenRetries * 1e6)),
  };
  optional(result, 'storeFirewalld', config.storeFirewalld);
  optional(result, 'verbose', config.verbose);
  result.wait = config.wait;
  result.waitInterval = config.waitInterval;
  return result;
}

/** YAML text in go-yaml v2's layout (2-space indent, list items not indented under their key). */
export function transparentProxyConfigAnnotation(config: TransparentProxyConfig): string {
  return stringify(marshalledConfig(config), { version: '1.1', indentSeq: false, lineWidth: 0 });
}
