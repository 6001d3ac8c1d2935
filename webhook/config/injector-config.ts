// Kuma 2.13's `runtime.kubernetes.injector` configuration: its shape, kuma-cp's
// defaults (DefaultKubernetesRuntimeConfig) and the all-zero value Kuma's own
// injector tests start from.

export interface ProbeSettings {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface InjectorConfig {
  sidecarContainer: {
    image: string;
    uid: number;
    gid: number;
    /** Deprecated and unused by the injector; validated only. */
    adminPort: number;
    /** Go duration in nanoseconds. */
    drainTime: number;
    readinessProbe: ProbeSettings;
    /** successThreshold is not part of Kuma's liveness settings (always 1). */
    livenessProbe: ProbeSettings;
    startupProbe: ProbeSettings;
    resources: {
      requests: { cpu: string; memory: string };
      limits: { cpu: string; memory: string };
    };
    envVars: Record<string, string>;
    redirectPortInbound: number;
    ipFamilyMode: string;
    redirectPortOutbound: number;
    waitForDataplaneReady: boolean;
  };
  initContainer: { image: string };
  containerPatches: string[];
  cniEnabled: boolean;
  virtualProbesEnabled: boolean;
  virtualProbesPort: number;
  applicationProbeProxyPort: number;
  sidecarTraffic: {
    excludeInboundPorts: number[];
    excludeOutboundPorts: number[];
    excludeInboundIPs: string[];
    excludeOutboundIPs: string[];
    /** Our extension (not in kuma-cp): kuma-init installs a native nftables table (`--nftables`, docs/nftables.md). */
    nftables: boolean;
  };
  exceptions: { labels: Record<string, string> };
  caCertFile: string;
  builtinDNS: { enabled: boolean; port: number; logging: boolean; experimentalProxy: boolean };
  ebpf: {
    enabled: boolean;
    instanceIPEnvVarName: string;
    bpffsPath: string;
    cgroupPath: string;
    tcAttachIface: string;
    programsSourcePath: string;
  };
  ignoredServiceSelectorLabels: string[];
  nodeLabelsToCopy: string[];
  /** Non-empty: the config-annotation path; empty: the legacy annotation path (2.13 default). */
  transparentProxyConfigMap: string;
  unifiedResourceNamingEnabled: boolean;
  spire: { enabled: boolean; mountPath: string; socketFileName: string };
}

const zeroProbe = (): ProbeSettings => ({
  initialDelaySeconds: 0,
  timeoutSeconds: 0,
  periodSeconds: 0,
  successThreshold: 0,
  failureThreshold: 0,
});

/** All zero values, as Kuma's injector tests build the config (`--config-defaults none`). */
export function zeroInjectorConfig(): InjectorConfig {
  return {
    sidecarContainer: {
      image: '',
      uid: 0,
      gid: 0,
      adminPort: 0,
      drainTime: 0,
      readinessProbe: zeroProbe(),
      livenessProbe: zeroProbe(),
      startupProbe: zeroProbe(),
      resources: { requests: { cpu: '', memory: '' }, limits: { cpu: '', memory: '' } },
      envVars: {},
      redirectPortInbound: 0,
      ipFamilyMode: '',
      redirectPortOutbound: 0,
      waitForDataplaneReady: false,
    },
    initContainer: { image: '' },
    containerPatches: [],
    cniEnabled: false,
    virtualProbesEnabled: false,
    virtualProbesPort: 0,
    applicationProbeProxyPort: 0,
    sidecarTraffic: { excludeInboundPorts: [], excludeOutboundPorts: [], excludeInboundIPs: [], excludeOutboundIPs: [], nftables: false },
    exceptions: { labels: {} },
    caCertFile: '',
    builtinDNS: { enabled: false, port: 0, logging: false, experimentalProxy: false },
    ebpf: { enabled: false, instanceIPEnvVarName: '', bpffsPath: '', cgroupPath: '', tcAttachIface: '', programsSourcePath: '' },
    ignoredServiceSelectorLabels: [],
    nodeLabelsToCopy: [],
    transparentProxyConfigMap: '',
    unifiedResourceNamingEnabled: false,
    spire: { enabled: false, mountPath: '', socketFileName: '' },
  };
}

/** kuma-cp 2.13's defaults (`--config-defaults kuma`). */
export function kumaDefaultInjectorConfig(): InjectorConfig {
  const config = zeroInjectorConfig();
  config.sidecarContainer = {
    ...config.sidecarContainer,
    image: 'kuma/kuma-dp:latest',
    uid: 5678,
    gid: 5678,
    drainTime: 30e9,
    readinessProbe: { initialDelaySeconds: 1, timeoutSeconds: 3, periodSeconds: 5, successThreshold: 1, failureThreshold: 12 },
    livenessProbe: { initialDelaySeconds: 60, timeoutSeconds: 3, periodSeconds: 5, successThreshold: 0, failureThreshold: 12 },
    startupProbe: { initialDelaySeconds: 1, timeoutSeconds: 3, periodSeconds: 5, successThreshold: 0, failureThreshold: 12 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1000m', memory: '512Mi' } },
    redirectPortInbound: 15006,
    ipFamilyMode: 'dualstack',
    redirectPortOutbound: 15001,
  };
  config.initContainer = { image: 'kuma/kuma-init:latest' };
  config.virtualProbesPort = 9000;
  config.applicationProbeProxyPort = 9001;
  config.exceptions = { labels: { 'openshift.io/build.name': '*', 'openshift.io/deployer-pod-for.name': '*' } };
  config.builtinDNS = { enabled: true, port: 15053, logging: false, experimentalProxy: true };
  config.ebpf = {
    enabled: false,
    instanceIPEnvVarName: 'INSTANCE_IP',
    bpffsPath: '/sys/fs/bpf',
    cgroupPath: '/sys/fs/cgroup',
    tcAttachIface: '',
    programsSourcePath: '/tmp/kuma-ebpf',
  };
  config.nodeLabelsToCopy = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'kubernetes.io/hostname'];
  config.spire = { enabled: false, mountPath: '/run/spire/sockets', socketFileName: 'socket' };
  return config;
}
