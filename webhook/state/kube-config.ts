// Where the informers' API credentials come from: an explicit kubeconfig file,
// or client-node's default order ($KUBECONFIG, ~/.kube/config, the in-pod
// service account). The in-pod token is re-read by client-node, so bound-token
// rotation needs nothing here.
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigSource {
  /** Path of a kubeconfig file; without it, client-node's default order applies. */
  kubeconfigPath?: string;
}

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (source.kubeconfigPath) kubeConfig.loadFromFile(source.kubeconfigPath);
  else kubeConfig.loadFromDefault();
  if (!kubeConfig.getCurrentCluster()) {
    const from = source.kubeconfigPath ?? 'the default kubeconfig locations or the in-cluster service account';
    throw new Error(`no current cluster in the Kubernetes client configuration (from ${from})`);
  }
  return kubeConfig;
}
