// The mesh of a pod in 2.13: the first non-empty of the pod label, the pod
// annotation (deprecated), the namespace label, the namespace annotation
// (deprecated), else `default`.
import { DEFAULT_MESH, Keys } from './annotation-keys.ts';
import type { Pod } from './pod-types.ts';
import type { KubeObject } from '../state/cluster-state.ts';

export function resolveMesh(pod: Pod, namespace: KubeObject): string {
  return (
    pod.metadata?.labels?.[Keys.mesh] ||
    pod.metadata?.annotations?.[Keys.mesh] ||
    namespace.metadata.labels?.[Keys.mesh] ||
    namespace.metadata.annotations?.[Keys.mesh] ||
    DEFAULT_MESH
  );
}
