// ConfigForKubernetes of 2.13 (transparentproxy/kubernetes/kubernetes_config.go):
// the ConfigMap's transparent-proxy config, overridden per field by the
// runtime config and the pod's annotations. Used by the config-annotation path.
import { applyConfigDocument, defaultConfig, parseIpFamilyMode, parsePorts, type TransparentProxyConfig } from '../../../init/config/index.ts';
import type { InjectionContext } from '../context.ts';
import { getBoolean, getEnabled, getList, getString, Keys, splitAnnotation, type StringMap } from '../pod/index.ts';
import { probeProxyPortForConfig } from '../probes/index.ts';

const CONFIG_KEY = 'config.yaml';

/** The base config from the ConfigMap in the system namespace; errors as 2.13 words them (unwrapped). */
export function configMapBase(ctx: InjectionContext): TransparentProxyConfig {
  const name = ctx.config.transparentProxyConfigMap;
  const configMap = ctx.state.configMap(ctx.settings.systemNamespace, name);
  if (configMap === undefined) throw new Error(`configmaps ${JSON.stringify(name)} not found`);
  const text = (configMap.data as Record<string, string> | undefined)?.[CONFIG_KEY];
  if (!text) throw new Error(`key '${CONFIG_KEY}' is missing or empty`);
  const config = defaultConfig();
  applyConfigDocument(config, text);
  return config;
}

/** First non-empty of annotation, ConfigMap, runtime, default (2.13's precedence for lists). */
const firstNonEmpty = <T>(...lists: T[][]): T[] => lists.find((list) => list.length > 0) ?? [];

function ipFamilyMode(current: string, runtime: string, annotations: StringMap | undefined): TransparentProxyConfig['ipFamilyMode'] {
  let fromRuntime = '';
  if (runtime !== '' && runtime !== 'dualstack') {
    try {
      fromRuntime = parseIpFamilyMode(runtime);
    } catch (error) {
      throw new Error(`invalid IP Family Mode in runtime configuration: ${runtime}: ${(error as Error).message}`);
    }
  }
  const annotated = getString(annotations, Keys.ipFamilyMode);
  if (annotated.exists) {
    try {
      const value = parseIpFamilyMode(annotated.value);
      if (annotated.value !== '') return value;
    } catch (error) {
      throw new Error(
        `invalid IP Family Mode in annotation '${Keys.ipFamilyMode}': ${annotated.value}: ${(error as Error).message}`,
      );
    }
  }
  return (current || fromRuntime || 'dualstack') as TransparentProxyConfig['ipFamilyMode'];
}

function excludePorts(current: number[], runtime: number[], annotations: StringMap | undefined, key: string): number[] {
  const runtimePorts = parsePorts(runtime.join(','));
  const annotated = getString(annotations, key);
  const fromAnnotation = annotated.exists ? parsePorts(annotated.value) : [];
  return [...firstNonEmpty(fromAnnotation, current, runtimePorts)];
}

export function mergeForKubernetes(base: TransparentProxyConfig, annotations: StringMap | undefined, ctx: InjectionContext): TransparentProxyConfig {
  const { config: runtime } = ctx;
  const config = structuredClone(base);
  config.kumaDPUser = String(runtime.sidecarContainer.uid);
  config.cniMode = runtime.cniEnabled;
  config.ipFamilyMode = ipFamilyMode(base.ipFamilyMode, runtime.sidecarContainer.ipFamilyMode, annotations);

  const drop = getBoolean(annotations, Keys.dropInvalidPackets);
  if (drop.exists) config.dropInvalidPackets = drop.value;
  const logs = getBoolean(annotations, Keys.iptablesLogs);
  if (logs.exists) config.log.enabled = logs.value;
  // Our extension: the annotation, else the ConfigMap's `nftables`, else the injector config.
  const nftables = getEnabled(annotations, Keys.nftables);
  config.nftables = nftables.exists ? nftables.value : base.nftables || runtime.sidecarTraffic.nftables;

  const { redirect } = config;
  redirect.dns.port = runtime.builtinDNS.port;
  redirect.outbound.port = runtime.sidecarContainer.redirectPortOutbound;
  redirect.outbound.excludePorts = excludePorts(
    base.redirect.outbound.excludePorts,
    runtime.sidecarTraffic.excludeOutboundPorts,
    annotations,
    Keys.excludeOutboundPorts,
  );
  const forUids = getString(annotations, Keys.excludeOutboundPortsForUIDs);
  if (forUids.exists) redirect.outbound.excludePortsForUIDs = splitAnnotation(Keys.excludeOutboundPortsForUIDs, forUids.value, ';');
  redirect.outbound.excludePortsForIPs = [
    ...firstNonEmpty(getList(annotations, Keys.excludeOutboundIPs), base.redirect.outbound.excludePortsForIPs, runtime.sidecarTraffic.excludeOutboundIPs),
  ];

  const gateway = getEnabled(annotations, Keys.gateway);
  if (gateway.exists && gateway.value) redirect.inbound.enabled = false;
  if (redirect.inbound.enabled) {
    redirect.inbound.port = runtime.sidecarContainer.redirectPortInbound;
    redirect.inbound.excludePortsForIPs = [
      ...firstNonEmpty(getList(annotations, Keys.excludeInboundIPs), base.redirect.inbound.excludePortsForIPs, runtime.sidecarTraffic.excludeInboundIPs),
    ];
    redirect.inbound.excludePorts = excludePorts(
      base.redirect.inbound.excludePorts,
      runtime.sidecarTraffic.excludeInboundPorts,
      annotations,
      Keys.excludeInboundPorts,
    );
    const probePort = probeProxyPortForConfig(annotations, runtime.applicationProbeProxyPort);
    if (probePort !== 0) redirect.inbound.excludePorts.push(...parsePorts(String(probePort)));
  }

  const ebpf = getEnabled(annotations, Keys.ebpf);
  if (ebpf.exists) config.ebpf.enabled = ebpf.value;
  if (config.ebpf.enabled) {
    const pick = (key: string, fallback: string): string | undefined => getString(annotations, key, fallback).value || undefined;
    config.ebpf.bpffsPath = pick(Keys.ebpfBPFFSPath, runtime.ebpf.bpffsPath) ?? config.ebpf.bpffsPath;
    config.ebpf.cgroupPath = pick(Keys.ebpfCgroupPath, runtime.ebpf.cgroupPath) ?? config.ebpf.cgroupPath;
    config.ebpf.tcAttachIface = pick(Keys.ebpfTCAttachIface, runtime.ebpf.tcAttachIface) ?? config.ebpf.tcAttachIface;
    config.ebpf.instanceIPEnvVarName =
      pick(Keys.ebpfInstanceIPEnvVarName, runtime.ebpf.instanceIPEnvVarName) ?? config.ebpf.instanceIPEnvVarName;
    config.ebpf.programsSourcePath = pick(Keys.ebpfProgramsSourcePath, runtime.ebpf.programsSourcePath) ?? config.ebpf.programsSourcePath;
  }
  return config;
}
