// The warnings Kuma 2.13 logs about a pod (deprecated annotations, yes/no
// values, values it ignores), with its texts, so callers can log or show them.
import { AnnotationError, getEnabled, getUint32, type StringMap } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import type { Container } from './pod-types.ts';

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

/** A read whose parse error is reported elsewhere (or ignored by 2.13). */
function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof AnnotationError) return undefined;
    throw error;
  }
}

const tproxyDisabled = (annotations: StringMap | undefined): boolean => {
  const tproxy = quietly(() => getEnabled(annotations, Keys.transparentProxying));
  return tproxy !== undefined && tproxy.exists && !tproxy.value;
};

/** The config-annotation path ignores a disabled transparent proxy (2.13 ConfigForKubernetes). */
export function configPathWarnings(annotations: StringMap | undefined): string[] {
  return tproxyDisabled(annotations)
    ? ['[WARNING]: disabling transparent proxying is not supported in Kubernetes environments; the annotation will be ignored']
    : [];
}

/** Per-pod values the legacy path ignores (2.13 NewAnnotations). */
export function legacyPathWarnings(annotations: StringMap | undefined, inboundPort: number, outboundPort: number): string[] {
  const warnings: string[] = [];
  if (tproxyDisabled(annotations)) {
    warnings.push(
      `[WARNING]: cannot change the value of annotation ${Keys.transparentProxying} as the transparent proxy must be enabled in Kubernetes`,
    );
  }
  for (const [key, global] of [
    [Keys.inboundPort, inboundPort],
    [Keys.outboundPort, outboundPort],
  ] as const) {
    const port = quietly(() => getUint32(annotations, key));
    if (port?.exists && port.value !== global) {
      warnings.push(`[WARNING]: cannot change the value of annotation ${key} on a per pod basis. The global setting will be used`);
    }
  }
  return warnings;
}
