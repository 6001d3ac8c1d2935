// Annotations written on the legacy path, the 2.13 default (injector.go
// NewAnnotations): they carry the transparent-proxy settings to kuma-init's
// flags, kuma-cni and the pod controller.
import type { InjectionContext } from '../context.ts';
import { wrapError } from '../errors.ts';
import { getEnabled, getString, getUint32, Keys, KUMA_CNI, type StringMap } from '../pod/index.ts';
import { probeProxyPortAnnotation, virtualProbesAnnotation } from '../probes/index.ts';

/** Throws with Kuma's texts; the caller wraps them as `could not generate annotations for pod: …`. */
export function legacyAnnotations(pod: StringMap | undefined, ctx: InjectionContext): Record<string, string> {
  const { config } = ctx;
  const sidecar = config.sidecarContainer;
  const result: Record<string, string> = {
    [Keys.sidecarInjected]: 'true',
    [Keys.transparentProxying]: 'enabled',
    [Keys.sidecarUID]: String(sidecar.uid),
    [Keys.outboundPort]: String(sidecar.redirectPortOutbound),
    [Keys.inboundPort]: String(sidecar.redirectPortInbound),
  };
  if (config.cniEnabled) result[Keys.cncfNetworks] = KUMA_CNI;

  const ebpf = wrapError(`getting ${Keys.ebpf} annotation failed`, () => getEnabled(pod, Keys.ebpf, config.ebpf.enabled));
  if (ebpf.value) {
    result[Keys.ebpf] = 'enabled';
    const fromPod = (key: string, fallback: string): void => {
      const value = getString(pod, key, fallback).value;
      if (value !== '') result[key] = value;
    };
    fromPod(Keys.ebpfBPFFSPath, config.ebpf.bpffsPath);
    fromPod(Keys.ebpfCgroupPath, config.ebpf.cgroupPath);
    fromPod(Keys.ebpfTCAttachIface, config.ebpf.tcAttachIface);
    fromPod(Keys.ebpfProgramsSourcePath, config.ebpf.programsSourcePath);
    // 2.13 passes the configured env-var *name* as a second annotation key (a bug kept for parity).
    const instanceIp = getString(pod, [config.ebpf.instanceIPEnvVarName, Keys.ebpfInstanceIPEnvVarName]).value;
    if (instanceIp !== '') result[Keys.ebpfInstanceIPEnvVarName] = instanceIp;
  }

  const dns = getEnabled(pod, Keys.builtinDNS, config.builtinDNS.enabled);
  if (dns.value) {
    result[Keys.builtinDNS] = 'enabled';
    result[Keys.builtinDNSPort] = String(getUint32(pod, Keys.builtinDNSPort, config.builtinDNS.port).value);
    result[Keys.builtinDNSLogging] = String(getEnabled(pod, Keys.builtinDNSLogging, config.builtinDNS.logging).value);
  }

  result[Keys.virtualProbes] = wrapError(`unable to set ${Keys.virtualProbes}`, () =>
    virtualProbesAnnotation(pod, config.virtualProbesEnabled),
  );
  result[Keys.virtualProbesPort] = wrapError(`unable to set ${Keys.virtualProbesPort}`, () =>
    String(getUint32(pod, Keys.virtualProbesPort, config.virtualProbesPort).value),
  );
  result[Keys.applicationProbeProxyPort] = wrapError(`unable to set ${Keys.applicationProbeProxyPort}`, () =>
    probeProxyPortAnnotation(pod, config.applicationProbeProxyPort),
  );

  const orDefault = (key: string, fallback: string): void => {
    const value = getString(pod, key, fallback).value;
    if (value !== '') result[key] = value;
  };
  orDefault(Keys.excludeInboundPorts, config.sidecarTraffic.excludeInboundPorts.join(','));
  orDefault(Keys.excludeOutboundPorts, config.sidecarTraffic.excludeOutboundPorts.join(','));
  result[Keys.ipFamilyMode] = getString(pod, Keys.ipFamilyMode, sidecar.ipFamilyMode).value || 'dualstack';
  result[Keys.envoyAdminPort] = String(getUint32(pod, Keys.envoyAdminPort, ctx.settings.envoyAdminPort).value);
  orDefault(Keys.excludeOutboundIPs, config.sidecarTraffic.excludeOutboundIPs.join(','));
  orDefault(Keys.excludeInboundIPs, config.sidecarTraffic.excludeInboundIPs.join(','));
  return result;
}
