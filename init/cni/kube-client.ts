// The pod GET with @kubernetes/client-node's KubeConfig: it loads the
// kubeconfig (explicit path, current context) and supplies the request's
// authentication and TLS (token, client certificate, CA, exec and auth
// providers, proxy) through applyToHTTPSOptions; the one GET is then a plain
// node request. Not through the generated CoreV1Api: loading the generated
// API and its models costs about twice what the whole install costs
// (docs/cni.md "Performance"), on the start of every pod. Loaded lazily by
// pod-api.ts.
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { CniError } from './errors.ts';
import { describeError, podView, type FetchPod, type PodLike } from './pod-api.ts';

/** A pod object is at most ~1.5 MiB in etcd; anything larger is not a pod. */
const MAX_POD_BYTES = 4 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}`);
  }
}

function get(url: URL, options: RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { ...options, method: 'GET', timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POD_BYTES) req.destroy(new Error(`response larger than ${MAX_POD_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new ApiError(res.statusCode ?? 0, body.slice(0, 512)));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A client for `kubeconfig`; a kubeconfig that cannot be loaded is an error (no pod starts meshless). */
export function clientNodePodFetcher(kubeconfig: string): FetchPod {
  const kc = new KubeConfig();
  let server: string;
  try {
    kc.loadFromFile(kubeconfig);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    server = cluster.server;
  } catch (error) {
    throw new CniError('KUBE_CLIENT', `failed to get pod annotations: failed to create Kubernetes client: ${describeError(error)}`);
  }
  return async (namespace, name) => {
    // Per attempt: exec and token-file credentials may rotate between retries.
    const options: RequestOptions & { headers: Record<string, string> } = { headers: { Accept: 'application/json' } };
    await kc.applyToHTTPSOptions(options);
    const url = new URL(`${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
    const pod = JSON.parse(await get(url, options)) as PodLike;
    return podView(pod);
  };
}
