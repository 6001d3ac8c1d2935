// The pod GET through @kubernetes/client-node, statically importing only the
// two classes it needs, so the bundle keeps only those (a dynamic import of
// the package would keep all of it). Loaded lazily by pod-api.ts.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CniError } from './errors.ts';
import { describeError, podView, type FetchPod } from './pod-api.ts';

/** A client for `kubeconfig`; a kubeconfig that cannot be loaded is an error (no pod starts meshless). */
export function clientNodePodFetcher(kubeconfig: string): FetchPod {
  const kc = new KubeConfig();
  let api: CoreV1Api;
  try {
    kc.loadFromFile(kubeconfig);
    api = kc.makeApiClient(CoreV1Api);
  } catch (error) {
    throw new CniError('KUBE_CLIENT', `failed to get pod annotations: failed to create Kubernetes client: ${describeError(error)}`);
  }
  return async (namespace, name) => podView(await api.readNamespacedPod({ namespace, name }));
}
