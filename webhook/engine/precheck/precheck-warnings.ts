// The warnings Kuma 2.13's precheck logs about a pod (deprecated annotations,
// yes/no values, init containers running as the sidecar's UID), with its texts,
// so callers can log or show them.
import { Keys, type Container, type StringMap } from '../pod/index.ts';

const DEPRECATED: [key: string, message: string][] = [
  ['kuma.io/builtindns', "'kuma.io/builtindns' is no longer supported and it will be ignored, use 'kuma.io/builtin-dns' instead"],
  ['kuma.io/builtindnsport', "'kuma.io/builtindnsport' is no longer supported and it will be ignored, use 'kuma.io/builtin-dns-port' instead"],
  [Keys.virtualProbes, "'kuma.io/virtual-probes' will be removed in a future release"],
  [Keys.virtualProbesPort, "'kuma.io/virtual-probes-port' is being replaced by: 'kuma.io/application-probe-proxy-port'"],
  [
    Keys.sidecarInjection,
    'WARNING: you are using kuma.io/sidecar-injection as annotation. This is not supported you should use it as a label instead',
  ],
];

/** Annotations 2.13 reads as booleans, where `yes`/`no` are deprecated spellings. */
const BOOLEAN_ANNOTATIONS = new Set<string>([
  Keys.dropInvalidPackets,
  Keys.iptablesLogs,
  Keys.waitForDataplaneReady,
  Keys.ebpf,
  Keys.builtinDNS,
  Keys.builtinDNSLogging,
  Keys.gateway,
  Keys.sidecarInjection,
  'kuma.io/ingress',
  'kuma.io/egress',
  Keys.sidecarInjected,
  Keys.transparentProxying,
  Keys.virtualProbes,
  'kuma.io/ignore',
  Keys.initFirst,
]);

/** Logged by 2.13's precheck before it decides anything. */
export function annotationWarnings(annotations: StringMap | undefined): string[] {
  const warnings: string[] = [];
  for (const [key, message] of DEPRECATED) {
    if (annotations?.[key] !== undefined) warnings.push(`WARNING: using deprecated pod annotation ${key}: ${message}`);
  }
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (BOOLEAN_ANNOTATIONS.has(key) && (value === 'yes' || value === 'no')) {
      warnings.push(
        `WARNING: using '${value}' for annotation '${key}' is deprecated, please use '${value === 'yes' ? 'true' : 'false'}' instead`,
      );
    }
  }
  return warnings;
}

export const MESH_ANNOTATION_WARNING = 'WARNING: The kuma.io/mesh annotation is no longer supported. Use label instead';

/** Init containers running as the sidecar UID: their traffic is not redirected. */
export function initContainerUidWarnings(initContainers: Container[] | undefined, uid: number): string[] {
  return (initContainers ?? [])
    .filter((container) => container.securityContext?.runAsUser === uid)
    .map((container) => `WARNING: init container using ignored sidecar UID (container ${container.name}, uid ${uid})`);
}
