// Any kubeconfig, through @kubernetes/client-node's KubeConfig: credentials
// (token files, exec plugins, auth providers, client certificates), TLS and
// proxies as client-node applies them. Only the KubeConfig class is imported,
// so the bundle keeps no generated API; loaded lazily by kube-client.ts for
// kubeconfigs that are not install-cni's simple shape, which wraps its errors.
// Imports nothing else of ours: the single executable carries this module as
// a separate asset (bin/bundle.ts).
import { KubeConfig } from '@kubernetes/client-node';
import type { Options } from './kube-client.ts';

export function viaClientNode(kubeconfig: string): { server: string; options: () => Promise<Options> } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  // client-node's own rule (createAgent), which it applies only per request, where kuma-cni would retry it 30 times.
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
  return {
    server: cluster.server,
    // Per attempt: exec and token-file credentials may rotate between retries.
    options: async () => {
      const options: Options = { headers: { Accept: 'application/json' } };
      await kc.applyToHTTPSOptions(options);
      return options;
    },
  };
}
