// The cluster `serve --demo` pretends to run in: one namespace labelled for
// injection and Kuma's default Mesh. Enough for a pod in `demo` to be injected.
import type { KubeObject } from '../state/index.ts';

export const demoNamespace = 'demo';

export function demoObjects(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: demoNamespace, labels: { 'kubernetes.io/metadata.name': demoNamespace, 'kuma.io/sidecar-injection': 'enabled' } },
    },
    {
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'Mesh',
      metadata: { name: 'default' },
      spec: {},
    },
  ];
}
