// What `kuma-injector check` reads from the cluster, in one place: the
// webhook configurations, the injector's Service, its Endpoints and TLS
// Secret, the namespaces, and the certificate the webhook pods actually serve
// (a TLS handshake with each ready endpoint, where this machine can reach it).
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../state/index.ts';
import { ApiReadError, clusterWebhooks, listItems } from './cluster-read.ts';
import type { WebhookSource } from './webhook-selectors.ts';

export interface CheckTarget {
  /** The injector's Service and namespace (the chart's: kuma-injector in the release namespace). */
  service: string;
  namespace: string;
  /** The Secret with the serving certificate (the chart's: kuma-injector-tls). */
  tlsSecret: string;
}

export interface EndpointAddress {
  ip: string;
  port: number;
}

export interface ServedCertificate {
  endpoint: string;
  /** PEM chain as served (leaf first); absent when the endpoint could not be reached. */
  chain?: X509Certificate[];
  error?: string;
}

export interface ClusterView {
  webhooks: WebhookSource;
  service?: KubeObject;
  readyEndpoints: EndpointAddress[];
  notReadyEndpoints: number;
  secret?: KubeObject;
  namespaces: KubeObject[];
  served: ServedCertificate[];
}

const HANDSHAKE_TIMEOUT_MS = 3000;

/** The certificate chain a TLS server presents (not verified here: check compares it with the caBundle). */
export function servedChain(address: EndpointAddress, servername: string): Promise<ServedCertificate> {
  const endpoint = `${address.ip}:${address.port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: address.ip, port: address.port, servername, rejectUnauthorized: false, timeout: HANDSHAKE_TIMEOUT_MS });
    const done = (result: ServedCertificate): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => {
      const chain: X509Certificate[] = [];
      let peer = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (peer?.raw && !seen.has(peer.fingerprint256) && chain.length < 10) {
        seen.add(peer.fingerprint256);
        chain.push(new X509Certificate(peer.raw));
        peer = peer.issuerCertificate;
      }
      done({ endpoint, chain });
    });
    socket.once('timeout', () => done({ endpoint, error: `no TLS handshake in ${HANDSHAKE_TIMEOUT_MS / 1000} s` }));
    socket.once('error', (error: Error) => done({ endpoint, error: error.message }));
  });
}

type EndpointsObject = KubeObject & {
  subsets?: { addresses?: { ip?: string }[]; notReadyAddresses?: unknown[]; ports?: { name?: string; port?: number }[] }[];
};

function endpointAddresses(endpoints: EndpointsObject | undefined): { ready: EndpointAddress[]; notReady: number } {
  const ready: EndpointAddress[] = [];
  let notReady = 0;
  for (const subset of endpoints?.subsets ?? []) {
    const ports = subset.ports ?? [];
    const port = (ports.find((p) => p.name === 'https') ?? ports[0])?.port;
    notReady += subset.notReadyAddresses?.length ?? 0;
    for (const address of subset.addresses ?? []) if (address.ip && port) ready.push({ ip: address.ip, port });
  }
  return { ready: ready.slice(0, 20), notReady };
}

/** One named object of a namespaced list, or undefined when there is none. */
async function namedObject(kubeConfig: KubeConfig, namespace: string, plural: string, kind: string, name: string): Promise<KubeObject | undefined> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
  const items = await listItems(kubeConfig, path, kind);
  return items.find((item) => item.metadata.name === name);
}

export async function readClusterView(kubeConfig: KubeConfig, target: CheckTarget): Promise<ClusterView> {
  const [webhooks, service, endpoints, secret, namespaces] = await Promise.all([
    clusterWebhooks(kubeConfig),
    namedObject(kubeConfig, target.namespace, 'services', 'Service', target.service),
    namedObject(kubeConfig, target.namespace, 'endpoints', 'Endpoints', target.service) as Promise<EndpointsObject | undefined>,
    // Reading Secrets may be forbidden: the caBundle is then checked against the served certificate only.
    namedObject(kubeConfig, target.namespace, 'secrets', 'Secret', target.tlsSecret).catch((error: unknown) => {
      if (error instanceof ApiReadError && error.status === 403) return undefined;
      throw error;
    }),
    listItems(kubeConfig, '/api/v1/namespaces', 'Namespace'),
  ]);
  const { ready, notReady } = endpointAddresses(endpoints);
  const servername = `${target.service}.${target.namespace}.svc`;
  const served = await Promise.all(ready.map((address) => servedChain(address, servername)));
  return { webhooks, service, readyEndpoints: ready, notReadyEndpoints: notReady, secret, namespaces, served };
}
