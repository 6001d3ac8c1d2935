// What the legacy path (the 2.13 default) writes and passes to kuma-init: the
// annotations (legacy-annotations.ts) and the kumactl flags computed from the
// pod's annotations with them (kumactl-args.ts). Both read only the keys below,
// so they are computed from those entries alone and kept (kept-values.ts) for
// every pod that has the same: most pods have none of them.
import { pickEntries, type StringMap } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import { type InjectionContext, wrapError } from './context.ts';
import { kept } from './kept-values.ts';
import { podRedirect, type PodRedirect } from './kumactl-args.ts';
import { legacyAnnotations } from './legacy-annotations.ts';

/** Every pod annotation legacyAnnotations and podRedirect read (besides the config's eBPF env-var name). */
export const LEGACY_INPUT_KEYS: readonly string[] = [
  Keys.ebpf,
  Keys.ebpfBPFFSPath,
  Keys.ebpfCgroupPath,
  Keys.ebpfTCAttachIface,
  Keys.ebpfProgramsSourcePath,
  Keys.ebpfInstanceIPEnvVarName,
  Keys.builtinDNS,
  Keys.builtinDNSPort,
  Keys.builtinDNSLogging,
  Keys.virtualProbes,
  Keys.virtualProbesPort,
  Keys.gateway,
  Keys.applicationProbeProxyPort,
  Keys.excludeInboundPorts,
  Keys.excludeOutboundPorts,
  Keys.excludeOutboundPortsForUIDs,
  Keys.excludeInboundIPs,
  Keys.excludeOutboundIPs,
  Keys.ipFamilyMode,
  Keys.envoyAdminPort,
  Keys.outboundPort,
  Keys.inboundPort,
  Keys.sidecarUID,
  Keys.dropInvalidPackets,
  Keys.iptablesLogs,
];

export interface LegacyPlan {
  /** The annotations to write, in Kuma's order. */
  written: Record<string, string>;
  /** kuma-init's flags, from the pod's annotations with `written` over them. */
  redirect: PodRedirect;
}

export function legacyPlan(annotations: StringMap | undefined, ctx: InjectionContext): LegacyPlan {
  // 2.13 also reads the annotation named by the configured eBPF env var (a bug kept for parity).
  const picked = pickEntries(annotations, [...LEGACY_INPUT_KEYS, ctx.config.ebpf.instanceIPEnvVarName]);
  return kept(ctx, `legacy plan\n${JSON.stringify(picked)}`, () => {
    const written = wrapError('could not generate annotations for pod', () => legacyAnnotations(picked, ctx));
    return { written, redirect: podRedirect({ ...picked, ...written }) };
  });
}
