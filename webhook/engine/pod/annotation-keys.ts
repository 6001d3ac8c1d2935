// Annotation and label keys the 2.13 injector reads or writes, and the names
// of the containers and values it uses.

export const Keys = {
  mesh: 'kuma.io/mesh',
  sidecarInjection: 'kuma.io/sidecar-injection',
  gateway: 'kuma.io/gateway',
  virtualProbes: 'kuma.io/virtual-probes',
  virtualProbesPort: 'kuma.io/virtual-probes-port',
  applicationProbeProxyPort: 'kuma.io/application-probe-proxy-port',
  sidecarEnvVars: 'kuma.io/sidecar-env-vars',
  sidecarConcurrency: 'kuma.io/sidecar-proxy-concurrency',
  builtinDNS: 'kuma.io/builtin-dns',
  builtinDNSPort: 'kuma.io/builtin-dns-port',
  builtinDNSLogging: 'kuma.io/builtin-dns-logging',
  transparentProxyConfig: 'traffic.kuma.io/transparent-proxy-config',
  transparentProxyConfigMapName: 'traffic.kuma.io/transparent-proxy-configmap-name',
  excludeInboundPorts: 'traffic.kuma.io/exclude-inbound-ports',
  excludeOutboundPorts: 'traffic.kuma.io/exclude-outbound-ports',
  excludeOutboundPortsForUIDs: 'traffic.kuma.io/exclude-outbound-ports-for-uids',
  dropInvalidPackets: 'traffic.kuma.io/drop-invalid-packets',
  iptablesLogs: 'traffic.kuma.io/iptables-logs',
  excludeInboundIPs: 'traffic.kuma.io/exclude-inbound-ips',
  excludeOutboundIPs: 'traffic.kuma.io/exclude-outbound-ips',
  serviceAccountTokenVolume: 'kuma.io/service-account-token-volume',
  sidecarDrainTime: 'kuma.io/sidecar-drain-time',
  containerPatches: 'kuma.io/container-patches',
  envoyLogLevel: 'kuma.io/envoy-log-level',
  envoyComponentLogLevel: 'kuma.io/envoy-component-log-level',
  initFirst: 'kuma.io/init-first',
  waitForDataplaneReady: 'kuma.io/wait-for-dataplane-ready',
  xdsTransportProtocolVariant: 'kuma.io/xds-transport-protocol-variant',
  spireSupport: 'k8s.kuma.io/spire-support',
  sidecarInjected: 'kuma.io/sidecar-injected',
  sidecarUID: 'kuma.io/sidecar-uid',
  envoyAdminPort: 'kuma.io/envoy-admin-port',
  transparentProxying: 'kuma.io/transparent-proxying',
  inboundPort: 'kuma.io/transparent-proxying-inbound-port',
  ipFamilyMode: 'kuma.io/transparent-proxying-ip-family-mode',
  outboundPort: 'kuma.io/transparent-proxying-outbound-port',
  cncfNetworks: 'k8s.v1.cni.cncf.io/networks',
  ebpf: 'kuma.io/transparent-proxying-ebpf',
  ebpfBPFFSPath: 'kuma.io/transparent-proxying-ebpf-bpf-fs-path',
  ebpfCgroupPath: 'kuma.io/transparent-proxying-ebpf-cgroup-path',
  ebpfTCAttachIface: 'kuma.io/transparent-proxying-ebpf-tc-attach-iface',
  ebpfInstanceIPEnvVarName: 'kuma.io/transparent-proxying-ebpf-instance-ip-env-var-name',
  ebpfProgramsSourcePath: 'kuma.io/transparent-proxying-ebpf-programs-source-path',
  defaultContainer: 'kubectl.kubernetes.io/default-container',
} as const;

export const SIDECAR_CONTAINER = 'kuma-sidecar';
export const INIT_CONTAINER = 'kuma-init';
export const VALIDATION_CONTAINER = 'kuma-validation';
export const KUMA_CNI = 'kuma-cni';
export const DEFAULT_MESH = 'default';
