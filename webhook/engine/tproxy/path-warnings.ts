// The warnings Kuma 2.13 logs about values each transparent-proxy path
// ignores, with its texts.
import { AnnotationError, getEnabled, getUint32, Keys, type StringMap } from '../pod/index.ts';

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
