// kuma-init's kumactl flags on the legacy path, read back from the merged pod
// annotations (2.13 transparentproxy/kubernetes PodRedirect and
// AsKumactlCommandLine): only values that differ from kumactl's defaults.
import { getBoolean, getEnabled, getString, getUint32, Keys, splitAnnotation, type StringMap } from '../pod/index.ts';

const DEFAULT_UID = '5678';
const DEFAULT_OUTBOUND_PORT = 15001;
const DEFAULT_INBOUND_PORT = 15006;
const DEFAULT_DNS_PORT = 15053;

export interface PodRedirect {
  redirectInbound: boolean;
  args: string[];
}

/** Trims items and drops empty ones, as 2.13 does for the exclude-IP lists. */
function addressList(annotations: StringMap | undefined, key: string): string {
  const value = getString(annotations, key);
  if (!value.exists) return '';
  return splitAnnotation(key, value.value, ',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .join(',');
}

/** Parse errors are returned raw (no wrapper), as in 2.13. */
export function podRedirect(annotations: StringMap | undefined): PodRedirect {
  const dnsEnabled = getEnabled(annotations, Keys.builtinDNS).value;
  const dnsPort = getUint32(annotations, Keys.builtinDNSPort).value;
  const excludeOutboundPorts = getString(annotations, Keys.excludeOutboundPorts).value;
  const forUids = getString(annotations, Keys.excludeOutboundPortsForUIDs);
  const outboundPort = getUint32(annotations, Keys.outboundPort).value;
  const gateway = getEnabled(annotations, Keys.gateway);
  const redirectInbound = !(gateway.exists && gateway.value);
  const excludeInbound = getString(annotations, Keys.excludeInboundPorts).value;
  const probePort = getString(annotations, Keys.applicationProbeProxyPort).value;
  const excludeInboundPorts =
    probePort === '0' || probePort === '' ? excludeInbound : excludeInbound === '' ? probePort : `${excludeInbound},${probePort}`;
  const inboundPort = getUint32(annotations, Keys.inboundPort).value;
  const ipFamilyMode = getString(annotations, Keys.ipFamilyMode, 'dualstack').value;
  const dropInvalidPackets = safeBoolean(annotations, Keys.dropInvalidPackets);
  const iptablesLogs = safeBoolean(annotations, Keys.iptablesLogs);
  const uid = getString(annotations, Keys.sidecarUID).value;
  const ebpf = getEnabled(annotations, Keys.ebpf);
  const excludeInboundIPs = addressList(annotations, Keys.excludeInboundIPs);
  const excludeOutboundIPs = addressList(annotations, Keys.excludeOutboundIPs);

  const args: string[] = [];
  const flag = (name: string, value: string | number | boolean): void => {
    if (value === true) args.push(`--${name}`);
    else if (value !== false && value !== '' && value !== 0) args.push(`--${name}=${value}`);
  };
  if (uid !== DEFAULT_UID) flag('kuma-dp-user', uid);
  if (ipFamilyMode !== 'dualstack') flag('ip-family-mode', ipFamilyMode);
  if (outboundPort !== DEFAULT_OUTBOUND_PORT) flag('redirect-outbound-port', outboundPort);
  flag('exclude-outbound-ports', excludeOutboundPorts);
  flag('exclude-outbound-ips', excludeOutboundIPs);
  if (forUids.exists) for (const entry of splitAnnotation(Keys.excludeOutboundPortsForUIDs, forUids.value, ';')) flag('exclude-outbound-ports-for-uids', entry);
  if (!redirectInbound) {
    flag('redirect-inbound', 'false');
  } else {
    if (inboundPort !== DEFAULT_INBOUND_PORT) flag('redirect-inbound-port', inboundPort);
    flag('exclude-inbound-ports', excludeInboundPorts);
    flag('exclude-inbound-ips', excludeInboundIPs);
  }
  if (dnsEnabled) {
    flag('redirect-all-dns-traffic', true);
    if (dnsPort !== DEFAULT_DNS_PORT) flag('redirect-dns-port', dnsPort);
  }
  if (ebpf.exists && ebpf.value) {
    flag('ebpf-enabled', true);
    flag('ebpf-bpffs-path', getString(annotations, Keys.ebpfBPFFSPath).value);
    flag('ebpf-cgroup-path', getString(annotations, Keys.ebpfCgroupPath).value);
    flag('ebpf-tc-attach-iface', getString(annotations, Keys.ebpfTCAttachIface).value);
    flag('ebpf-programs-source-path', getString(annotations, Keys.ebpfProgramsSourcePath).value);
    const instanceIpVar = getString(annotations, Keys.ebpfInstanceIPEnvVarName).value;
    if (instanceIpVar !== '') flag('ebpf-instance-ip', `$(${instanceIpVar})`);
  }
  flag('drop-invalid-packets', dropInvalidPackets);
  flag('iptables-logs', iptablesLogs);
  // Our extension: only kuma-init knows the flag, and it is given only when asked for.
  flag('nftables', getEnabled(annotations, Keys.nftables).value);
  flag('verbose', true);
  return { redirectInbound, args };
}

/** 2.13 ignores parse errors of these two (an invalid value means false). */
function safeBoolean(annotations: StringMap | undefined, key: string): boolean {
  try {
    return getBoolean(annotations, key).value;
  } catch {
    return false;
  }
}
