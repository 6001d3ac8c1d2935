// The one API call kuma-cni makes: GET the pod named by CNI_ARGS, with the
// kubeconfig install-cni wrote (explicit path, current context), retried as
// Kuma does (kumahq/kuma@v2.13.10: app/cni/pkg/cni/kubernetes_linux.go: every
// error retried, 30 retries 1 s apart). @kubernetes/client-node is imported
// only here and only when a pod is fetched: it is most of the plugin's start
// cost, and skipped pods never need it.
import { CniError } from './errors.ts';
import type { PodView } from './pod-decision.ts';

export interface RetryPolicy {
  retries: number;
  intervalMs: number;
}

export const KUMA_POD_RETRY: RetryPolicy = { retries: 30, intervalMs: 1000 };

/** Annotations kept per pod (the API server bounds their size at 256 KiB; this bounds the count). */
const MAX_ANNOTATIONS = 4096;

export type FetchPod = (namespace: string, name: string) => Promise<PodView>;

interface PodLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
}

/** The parts of the API object the decision reads; annotations in a Map, so no key reaches a prototype. */
export function podView(pod: PodLike): PodView {
  const names = (list: Array<{ name?: string }> | undefined) => (list ?? []).map((c) => String(c.name ?? ''));
  const annotations = new Map<string, string>();
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {}).slice(0, MAX_ANNOTATIONS)) {
    if (typeof value === 'string') annotations.set(key, value);
  }
  return { containers: names(pod.spec?.containers), initContainers: names(pod.spec?.initContainers), annotations };
}

const describe = (error: unknown): string => {
  const e = error as { code?: number; body?: unknown; message?: string };
  const text = typeof e.code === 'number' ? `HTTP ${e.code}: ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}` : (e.message ?? String(error));
  return text.slice(0, 512);
};

/** A client for `kubeconfig`; a kubeconfig that cannot be loaded is an error (no pod starts meshless). */
export async function kubePodFetcher(kubeconfig: string): Promise<FetchPod> {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  let api: InstanceType<typeof CoreV1Api>;
  try {
    kc.loadFromFile(kubeconfig);
    api = kc.makeApiClient(CoreV1Api);
  } catch (error) {
    throw new CniError('KUBE_CLIENT', `failed to get pod annotations: failed to create Kubernetes client: ${describe(error)}`);
  }
  return async (namespace, name) => podView(await api.readNamespacedPod({ namespace, name }));
}

/** The GET with Kuma's retry; the last error becomes Kuma's message. */
export async function getPodWithRetry(fetch: FetchPod, namespace: string, name: string, policy: RetryPolicy, onRetry?: (error: string) => void): Promise<PodView> {
  let last: unknown;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, policy.intervalMs));
    try {
      return await fetch(namespace, name);
    } catch (error) {
      last = error;
      onRetry?.(describe(error));
    }
  }
  throw new CniError('POD_GET', `failed to get pod annotations: failed to retrieve pod data from Kubernetes API: ${describe(last)}`);
}
