// One-shot reads of the cluster for `explain --kubeconfig` and `check`: plain
// GETs through the kubeconfig's credentials (no watches, nothing written).
// Each read is bounded in time and size; a failure names the path and status.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { type KubeObject, StaticClusterState } from '../state/index.ts';
import { clusterConfig } from './serve-startup.ts';
import { webhookConfigurationsIn, type WebhookSource } from './webhook-selectors.ts';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 64 * 1024 * 1024;

export class ApiReadError extends Error {
  constructor(
    readonly path: string,
    /** HTTP status; undefined when the server could not be reached. */
    readonly status: number | undefined,
    message: string,
  ) {
    super(`GET ${path}: ${message}`);
  }
}

/** GET `path` on the kubeconfig's API server; the parsed JSON body. */
export async function apiGet(kubeConfig: KubeConfig, path: string): Promise<unknown> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new ApiReadError(path, undefined, 'the kubeconfig names no current cluster');
  const url = new URL(path, server);
  const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: TIMEOUT_MS };
  await kubeConfig.applyToHTTPSOptions(options);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) req.destroy(new Error(`answer larger than ${MAX_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && body !== undefined) resolve(body);
        else reject(new ApiReadError(path, status, (body as { message?: string } | undefined)?.message ?? `HTTP ${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => reject(error instanceof ApiReadError ? error : new ApiReadError(path, undefined, error.message)));
    req.end();
  });
}

/** The items of a list, with the kind the list's type implies (typed lists leave it out). */
export async function listItems(kubeConfig: KubeConfig, path: string, kind: string): Promise<KubeObject[]> {
  const list = (await apiGet(kubeConfig, path)) as { items?: unknown };
  const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
  return items.filter((item) => typeof item === 'object' && item !== null && typeof item.metadata?.name === 'string').map((item) => ({ ...item, kind }));
}

export const mutatingWebhooksPath = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** The webhook configurations the API server holds. */
export async function clusterWebhooks(kubeConfig: KubeConfig): Promise<WebhookSource> {
  const configurations = webhookConfigurationsIn(await listItems(kubeConfig, mutatingWebhooksPath, 'MutatingWebhookConfiguration'));
  return { from: `the cluster's MutatingWebhookConfigurations (${configurations.map((c) => c.metadata.name).join(', ') || 'none'})`, configurations };
}

/** What `explain --kubeconfig` reads: the objects the injector reads, and the webhook configurations. */
export async function readCluster(kubeconfigPath: string, systemNamespace: string): Promise<{ state: StaticClusterState; webhooks: WebhookSource }> {
  const kubeConfig = await clusterConfig(kubeconfigPath);
  const kuma = '/apis/kuma.io/v1alpha1';
  const [namespaces, meshes, patches, configMaps, webhooks] = await Promise.all([
    listItems(kubeConfig, '/api/v1/namespaces', 'Namespace'),
    listItems(kubeConfig, `${kuma}/meshes`, 'Mesh'),
    listItems(kubeConfig, `${kuma}/namespaces/${systemNamespace}/containerpatches`, 'ContainerPatch'),
    listItems(kubeConfig, `/api/v1/namespaces/${systemNamespace}/configmaps`, 'ConfigMap'),
    clusterWebhooks(kubeConfig),
  ]);
  return { state: new StaticClusterState([...namespaces, ...meshes, ...patches, ...configMaps]), webhooks };
}
