// The one API call kuma-cni makes: GET the pod named by CNI_ARGS, with the
// kubeconfig install-cni wrote (explicit path, current context), retried as
// Kuma does (kumahq/kuma@v2.13.10: app/cni/pkg/cni/kubernetes_linux.go: every
// error retried, 30 retries 1 s apart). @kubernetes/client-node lives in
// kube-client.ts, imported only when a pod is fetched: it is most of the
// plugin's start cost, and skipped pods never need it.
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

export interface PodLike {
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

export const describeError = (error: unknown): string => {
  const e = error as { code?: number; body?: unknown; message?: string };
  const text = typeof e.code === 'number' ? `HTTP ${e.code}: ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}` : (e.message ?? String(error));
  return text.slice(0, 512);
};

/** A client for `kubeconfig` (client-node loaded on first use). */
export async function kubePodFetcher(kubeconfig: string): Promise<FetchPod> {
  const { clientNodePodFetcher } = await import('./kube-client.ts');
  return clientNodePodFetcher(kubeconfig);
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
      onRetry?.(describeError(error));
    }
  }
  throw new CniError('POD_GET', `failed to get pod annotations: failed to retrieve pod data from Kubernetes API: ${describeError(last)}`);
}
