// A STAND-IN for the Kubernetes API server's pod endpoints, on loopback, for
// the race repair's tests (the real API server cannot run here; the webhook's
// stand-in, test-support/webhook/stand-in-api-server.ts, serves no pods and no
// writes). It serves what the agent uses: a watch of pods with a
// `spec.nodeName` field selector (ADDED for the current pods, then live
// events), DELETE of a pod and a merge PATCH of its labels. It records every
// request. HTTPS with a throwaway CA, which its kubeconfig carries. Not
// served: lists, resourceVersions, other resources.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { generateSelfSigned } from '../../../webhook/tls/self-signed.ts';

export interface PodRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}

interface PodWatch {
  nodeName: string | undefined;
  response: ServerResponse;
}

const MAX_BODY_BYTES = 64 * 1024;

export class StandInPodApi {
  readonly requests: PodRequest[] = [];
  private readonly pods = new Map<string, V1Pod>();
  private readonly watches = new Set<PodWatch>();

  private constructor(
    private readonly server: Server,
    private readonly caCert: string,
  ) {}

  static async start(): Promise<StandInPodApi> {
    const { caCert, serving } = await generateSelfSigned();
    const server = createServer({ cert: serving.cert, key: serving.key });
    const standIn = new StandInPodApi(server, caCert);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void standIn.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** A kubeconfig document pointing at the stand-in, trusting its CA. */
  kubeconfigYaml(): string {
    const { port } = this.server.address() as AddressInfo;
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': Buffer.from(this.caCert).toString('base64') } }],
      users: [{ name: 'stand-in', user: { token: 'stand-in-token' } }],
      contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'stand-in' } }],
      'current-context': 'stand-in',
    });
  }

  /** Creates or replaces a pod; open watches on its node see it. */
  put(pod: V1Pod): void {
    const stored: V1Pod = structuredClone(pod);
    stored.metadata = { ...stored.metadata, uid: stored.metadata?.uid ?? randomUUID() };
    const key = `${stored.metadata.namespace}/${stored.metadata.name}`;
    const type = this.pods.has(key) ? 'MODIFIED' : 'ADDED';
    this.pods.set(key, stored);
    this.emit(type, stored);
  }

  pod(namespace: string, name: string): V1Pod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** The write requests (DELETE, PATCH) so far. */
  writes(): PodRequest[] {
    return this.requests.filter((r) => r.method === 'DELETE' || r.method === 'PATCH');
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.response.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private emit(type: string, pod: V1Pod): void {
    for (const watch of this.watches) {
      if (watch.nodeName === undefined || watch.nodeName === pod.spec?.nodeName) watch.response.write(`${JSON.stringify({ type, object: pod })}\n`);
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const body = await readBody(request);
    const contentType = request.headers['content-type'];
    this.requests.push({ method: request.method ?? '', path: url.pathname, query, contentType, body });
    const answer = (code: number, object: unknown) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(object));
    };
    const notFound = () => answer(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });

    if (request.method === 'GET' && url.pathname === '/api/v1/pods' && query.watch === 'true') {
      const selector = query.fieldSelector ?? '';
      const nodeName = /^spec\.nodeName=(.+)$/.exec(selector)?.[1];
      if (selector && nodeName === undefined) return answer(400, { kind: 'Status', code: 400, message: `stand-in: unsupported field selector ${selector}` });
      const watch: PodWatch = { nodeName, response };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders(); // as the API server does: the client's watch is open before any event
      for (const pod of this.pods.values()) if (nodeName === undefined || pod.spec?.nodeName === nodeName) response.write(`${JSON.stringify({ type: 'ADDED', object: pod })}\n`);
      this.watches.add(watch);
      response.on('close', () => this.watches.delete(watch));
      return;
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url.pathname);
    const key = match ? `${match[1]}/${match[2]}` : '';
    const pod = this.pods.get(key);
    if (!match || !pod) return notFound();
    if (request.method === 'DELETE') {
      this.pods.delete(key);
      this.emit('DELETED', pod);
      return answer(200, pod);
    }
    if (request.method === 'PATCH' && contentType === 'application/merge-patch+json') {
      const labels = (body as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {};
      pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, ...labels } };
      this.emit('MODIFIED', pod);
      return answer(200, pod);
    }
    answer(415, { kind: 'Status', code: 415, message: `stand-in: ${request.method} ${String(contentType)} is not served` });
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_BODY_BYTES) throw new Error('stand-in: request body too large');
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}
