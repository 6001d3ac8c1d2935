// The pod GET. The kubeconfig (explicit path, current context) is loaded by
// @kubernetes/client-node's KubeConfig, which supplies the request's
// authentication and TLS (token, client certificate, CA, exec and auth
// providers, proxy) through applyToHTTPSOptions; the one GET is a plain node
// request. Why not simply client-node's CoreV1Api: kuma-cni starts once per
// pod and every millisecond of its start delays the pod; loading the
// generated API and its models cost more than the whole install, and
// KubeConfig alone still costs about as much as the install
// (docs/cni.md "Performance"). So the kubeconfig install-cni writes (a
// server, a CA, a bearer token; kubeconfig.ts recognises exactly that
// template) is used directly, and every other kubeconfig goes through
// client-node, which this module then loads. Loaded lazily by pod-api.ts.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CniError } from './errors.ts';
import { installCniKubeconfig } from './kubeconfig.ts';
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

export type Options = RequestOptions & { headers: Record<string, string> };

const podUrl = (server: string, namespace: string, name: string) =>
  new URL(`${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);

const clientError = (error: unknown) => new CniError('KUBE_CLIENT', `failed to get pod annotations: failed to create Kubernetes client: ${describeError(error)}`);

/** Loading client-node (in the single executable, compiling its asset) fails as the kubeconfig does: fail closed. */
async function viaClientNode(kubeconfig: string) {
  try {
    const { viaClientNode: load } = await import('./client-node-kubeconfig.ts');
    return load(kubeconfig);
  } catch (error) {
    throw clientError(error);
  }
}

/** A client for `kubeconfig`; a kubeconfig that cannot be loaded is an error (no pod starts meshless). */
export async function clientNodePodFetcher(kubeconfig: string): Promise<FetchPod> {
  let text: string;
  try {
    text = readFileSync(kubeconfig, 'utf8');
  } catch (error) {
    throw clientError(error);
  }
  const written = installCniKubeconfig(text);
  const client = written
    ? {
        server: written.server,
        options: (): Promise<Options> => Promise.resolve({ headers: { Accept: 'application/json', Authorization: `Bearer ${written.token}` }, ca: written.ca }),
      }
    : await viaClientNode(kubeconfig);
  return async (namespace, name) => podView(JSON.parse(await get(podUrl(client.server, namespace, name), await client.options())) as PodLike);
}
