// Whether a pod gets a sidecar, and in which mesh (Kuma 2.13.10 precheck.go):
// namespace lookup, exception labels, an existing sidecar, the injection label
// on the pod then on the namespace, mesh resolution, mesh existence and the
// sidecar-UID collision. Refusals carry Kuma's exact error texts.
// One deliberate addition: host-network pods are never injected (see hostNetworkSkip).
import type { InjectionContext } from '../context.ts';
import { InjectionError } from '../errors.ts';
import { goQuote, goQuoteList } from '../../../go-compat/index.ts';
import { AnnotationError, getEnabled, Keys, type Pod, SIDECAR_CONTAINER } from '../pod/index.ts';
import { resolveMesh } from './mesh-resolution.ts';
import { annotationWarnings, initContainerUidWarnings, MESH_ANNOTATION_WARNING } from './precheck-warnings.ts';

export type PrecheckResult =
  | { decision: 'inject'; mesh: string; namespace: string; warnings: string[] }
  | { decision: 'skip'; reason: string; message: string; warnings: string[] };

/** The namespace Kuma looks up: the admission request's (2.13 sets it on the pod), else the pod's own, else `default`. */
export function podNamespace(pod: Pod, ctx: InjectionContext): string {
  return ctx.namespace || pod.metadata?.namespace || 'default';
}

function exceptionLabel(pod: Pod, ctx: InjectionContext): string | undefined {
  const labels = pod.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(ctx.config.exceptions.labels)) {
    if (Object.prototype.hasOwnProperty.call(labels, key) && (value === '*' || value === labels[key])) return key;
  }
  return undefined;
}

function readInjectionLabel(labels: Record<string, string> | undefined): { value: boolean; exists: boolean } {
  try {
    return getEnabled(labels, Keys.sidecarInjection);
  } catch (error) {
    if (error instanceof AnnotationError) throw new InjectionError('invalid_label_value', error.message);
    throw error;
  }
}

// Deviation from Kuma 2.13, which injects them: kuma-init in a host-network pod
// would rewrite the node's own iptables and redirect all of the node's traffic.
// Istio and Linkerd skip such pods too; the pod runs unmeshed, as it asked for the host.
export const HOST_NETWORK_MESSAGE =
  'pod uses the host network (spec.hostNetwork: true): not injected, because kuma-init would redirect the whole node\'s traffic';

/** Throws InjectionError for a refusal. */
export function precheck(pod: Pod, ctx: InjectionContext): PrecheckResult {
  const namespaceName = podNamespace(pod, ctx);
  const namespace = ctx.state.namespace(namespaceName);
  if (namespace === undefined) {
    throw new InjectionError(
      'namespace_not_found',
      `could not retrieve namespace for pod: namespaces ${goQuote(namespaceName)} not found`,
    );
  }

  const warnings = annotationWarnings(pod.metadata?.annotations);
  const skip = (reason: string, message: string): PrecheckResult => ({ decision: 'skip', reason, message, warnings });
  const exception = exceptionLabel(pod, ctx);
  if (exception !== undefined) return skip('exception_label', `pod label ${exception} matches an injection exception`);
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  if (all.some((container) => container?.name === SIDECAR_CONTAINER)) {
    // Deviation: Kuma logs its warnings first. An injected pod carries the annotations the
    // injector wrote (virtual probes, ...); warning about those on a re-admission is noise.
    return { decision: 'skip', reason: 'already_injected', message: 'pod already has a kuma-sidecar container', warnings: [] };
  }

  const podLabel = readInjectionLabel(pod.metadata?.labels);
  if (podLabel.exists && !podLabel.value) return skip('disabled_by_pod', `pod has "${Keys.sidecarInjection}: disabled" label`);
  if (!podLabel.exists) {
    const namespaceLabel = readInjectionLabel(namespace.metadata.labels);
    if (!namespaceLabel.exists) return skip('not_enabled', `neither pod nor namespace has the ${Keys.sidecarInjection} label`);
    if (!namespaceLabel.value) return skip('disabled_by_namespace', `namespace has "${Keys.sidecarInjection}: disabled" label`);
  }

  if (pod.spec?.hostNetwork === true) return skip('host_network', HOST_NETWORK_MESSAGE);

  const { mesh, fromAnnotation } = resolveMesh(pod, namespace);
  if (fromAnnotation) warnings.push(MESH_ANNOTATION_WARNING);
  if (ctx.state.mesh(mesh) === undefined) {
    throw new InjectionError('mesh_not_found', `meshes.kuma.io ${goQuote(mesh)} not found`);
  }

  const uid = ctx.config.sidecarContainer.uid;
  warnings.push(...initContainerUidWarnings(pod.spec?.initContainers, uid));
  const sameUid = (pod.spec?.containers ?? [])
    .filter((container) => container?.securityContext?.runAsUser === uid)
    .map((container) => container.name);
  if (sameUid.length > 0) {
    throw new InjectionError('duplicate_uid', `containers using same UID as sidecar is unsupported: ${goQuoteList(sameUid)}`);
  }
  return { decision: 'inject', mesh, namespace: namespaceName, warnings };
}
