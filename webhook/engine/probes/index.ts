// The application's probes behind the sidecar, and the probe annotations Kuma writes.
export { rewriteAppProbes } from './app-probes.ts';
export { probeProxyPortAnnotation, probeProxyPortForConfig, virtualProbesAnnotation } from './probe-annotations.ts';
