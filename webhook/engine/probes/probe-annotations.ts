// The virtual-probe and probe-proxy annotations 2.13 writes, and the three
// ways it computes the probe-proxy port (kuma-2.13-delta §6.3).
import { getEnabled, getUint32, Keys, type StringMap } from '../pod/index.ts';

export class ProbeSettingError extends Error {}

/** SetVirtualProbesEnabledAnnotation: `enabled` or `disabled`. */
export function virtualProbesAnnotation(pod: StringMap | undefined, configEnabled: boolean): 'enabled' | 'disabled' {
  const virtualProbes = getEnabled(pod, Keys.virtualProbes);
  const gateway = getEnabled(pod, Keys.gateway);
  if (gateway.value) {
    if (virtualProbes.value) throw new ProbeSettingError("virtual probes can't be enabled in gateway mode");
    return 'disabled';
  }
  const proxyPort = getUint32(pod, Keys.applicationProbeProxyPort);
  if (proxyPort.exists && proxyPort.value === 0) return 'enabled';
  const enabled = virtualProbes.exists ? virtualProbes.value : configEnabled;
  return enabled ? 'enabled' : 'disabled';
}

/** SetApplicationProbeProxyPortAnnotation (P-env): a gateway is recognised by the key's presence. */
export function probeProxyPortAnnotation(pod: StringMap | undefined, configPort: number): string {
  const annotated = getUint32(pod, Keys.applicationProbeProxyPort);
  if (pod !== undefined && Object.prototype.hasOwnProperty.call(pod, Keys.gateway)) {
    if (annotated.exists && annotated.value > 0) {
      throw new ProbeSettingError("application probe proxies probes can't be enabled in gateway mode");
    }
    return '0';
  }
  return String(annotated.exists ? annotated.value : configPort);
}

/** GetApplicationProbeProxyPort (P-cfg), used by the config-annotation path. */
export function probeProxyPortForConfig(pod: StringMap | undefined, configPort: number): number {
  const annotated = getUint32(pod, Keys.applicationProbeProxyPort);
  let virtualProbes: { value: boolean; exists: boolean };
  let gateway = false;
  try {
    virtualProbes = getEnabled(pod, Keys.virtualProbes);
  } catch {
    virtualProbes = { value: false, exists: true };
  }
  try {
    gateway = getEnabled(pod, Keys.gateway).value;
  } catch {
    gateway = false;
  }
  if (gateway && annotated.value > 0) throw new ProbeSettingError("application probe proxies probes can't be enabled in gateway mode");
  if (gateway) return 0;
  if (annotated.exists) return annotated.value;
  if (virtualProbes.exists) return virtualProbes.value ? configPort : 0;
  return configPort;
}
