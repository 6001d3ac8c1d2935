// Facts tying a CNI-mode deployment (chart or manifests) to the install-cni
// agent it runs: the environment its DaemonSet gives the agent, resolved as
// the kubelet would, and which of those variables the agent never reads.
import { loadAgentConfig } from '../init/install-cni/index.ts';
import { objectOfKind, type KubeDoc } from './kube-objects.ts';

/** The node name the downward API gives the DaemonSet's pods in these checks. */
export const NODE_NAME = 'node-a';

/** The install-cni container's environment, with ConfigMap keys and spec.nodeName resolved. */
export function agentEnvOf(docs: readonly KubeDoc[]): Record<string, string> {
  const container = objectOfKind(docs, 'DaemonSet').spec?.template.spec?.containers.find((c) => c.name === 'install-cni');
  if (!container) throw new Error('no install-cni container');
  const configMaps = docs.filter((d) => d.kind === 'ConfigMap') as unknown as { metadata: { name: string }; data?: Record<string, string> }[];
  return Object.fromEntries(
    (container.env ?? []).map((e) => {
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) return [e.name, configMaps.find((c) => c.metadata.name === ref.name)?.data?.[ref.key] ?? `<missing ${ref.name}/${ref.key}>`];
      if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') return [e.name, NODE_NAME];
      return [e.name, e.value ?? ''];
    }),
  );
}

/** Variables in `env` that loadAgentConfig never reads (a typo there would be silently ignored). */
export function unreadAgentEnv(env: Record<string, string>): string[] {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get: (target, name: string) => {
      read.add(name);
      return target[name];
    },
  });
  loadAgentConfig(recording);
  return Object.keys(env).filter((name) => !read.has(name) && !name.startsWith('KUBERNETES_SERVICE_'));
}
