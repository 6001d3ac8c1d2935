// The mesh of a pod in 2.13: the first non-empty of the pod label, the pod
// annotation (deprecated), the namespace label, the namespace annotation
// (deprecated), else `default`.
import type { KubeObject } from '../../state/index.ts';
import { DEFAULT_MESH, Keys, type Pod } from '../pod/index.ts';

export function resolveMesh(pod: Pod, namespace: KubeObject): { mesh: string; fromAnnotation: boolean } {
  const sources: [string | undefined, boolean][] = [
    [pod.metadata?.labels?.[Keys.mesh], false],
    [pod.metadata?.annotations?.[Keys.mesh], true],
    [namespace.metadata.labels?.[Keys.mesh], false],
    [namespace.metadata.annotations?.[Keys.mesh], true],
  ];
  const [mesh, fromAnnotation] = sources.find(([value]) => value) ?? [DEFAULT_MESH, false];
  return { mesh: mesh!, fromAnnotation };
}
