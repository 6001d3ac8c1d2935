// A STAND-IN for the Kubernetes API server (the real one cannot run here),
// serving only what kuma-cni asks: GET /api/v1/namespaces/NS/pods/NAME. It
// listens on the loopback of a network namespace the test made (the "node",
// where the CNI plugins run): a small node process inside that namespace
// binds the socket and hands it over IPC, so this process serves it.
// (test-support/webhook/stand-in-api-server.ts serves lists and watches on
// the host's loopback, not single GETs.) It records every request and can
// answer 500 to all of them. It serves HTTPS with a throwaway CA, as an API
// server does, and its kubeconfig is the one install-cni writes (that CA, a
// bearer token), so kuma-cni takes its production path, TLS included.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Server as NetServer } from 'node:net';
import { stringify } from 'yaml';
import { kubeconfigText } from '../../../init/install-cni/index.ts';
import { generateSelfSigned } from '../../../webhook/tls/self-signed.ts';
import type { Netns } from '../netns.ts';

export interface StandInPod {
  metadata: { name: string; namespace: string; annotations?: Record<string, string>; [field: string]: unknown };
  spec: { containers: Array<{ name: string }>; initContainers?: Array<{ name: string }>; [field: string]: unknown };
  [field: string]: unknown;
}

/** Binds 127.0.0.1:0 inside the namespace and sends the listening socket to the parent. */
const LISTENER = `const s = require('node:net').createServer();
s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }, s, () => { s.close(); process.disconnect(); }));`;

export class StandInPodApi {
  readonly requests: string[] = [];
  /** The Authorization header of every request, in order. */
  readonly authorizations: string[] = [];
  private readonly pods = new Map<string, StandInPod>();
  private failing = false;
  private port = 0;
  private readonly server: Server;

  private constructor(
    private readonly caCert: string,
    serving: { cert: string; key: string },
  ) {
    this.server = createServer({ cert: serving.cert, key: serving.key }, (request, response) => this.handle(request, response));
  }

  static async startIn(ns: Netns): Promise<StandInPodApi> {
    const { caCert, serving } = await generateSelfSigned();
    const standIn = new StandInPodApi(caCert, serving);
    const [cmd, args] = ns.wrap(process.execPath, ['-e', LISTENER]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [message, handle] = await new Promise<[{ port: number }, NetServer]>((resolve, reject) => {
      child.once('message', (m: { port: number }, h: NetServer) => resolve([m, h]));
      child.once('exit', (code) => reject(new Error(`stand-in listener exited ${code}`)));
    });
    standIn.port = message.port;
    await new Promise<void>((resolve) => standIn.server.listen(handle, resolve));
    return standIn;
  }

  put(pod: StandInPod): void {
    this.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, structuredClone(pod));
  }

  /** Every request gets 500 while set. */
  setFailing(failing: boolean): void {
    this.failing = failing;
  }

  /**
   * A kubeconfig for the plugin (server on the node namespace's loopback): the one install-cni writes
   * (bearer token `stand-in-token`), or, with another user (an exec plugin), an equivalent that only
   * client-node reads.
   */
  kubeconfigYaml(user?: object): string {
    const ca = Buffer.from(this.caCert);
    if (!user) return kubeconfigText({ protocol: 'https', host: '127.0.0.1', port: String(this.port), token: 'stand-in-token', ca });
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: `https://127.0.0.1:${this.port}`, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: 'kuma-cni', user }],
      contexts: [{ name: 'kuma-cni-context', context: { cluster: 'stand-in', user: 'kuma-cni' } }],
      'current-context': 'kuma-cni-context',
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    this.requests.push(`${request.method} ${path}`);
    this.authorizations.push(request.headers.authorization ?? '');
    const answer = (code: number, body: object) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: `stand-in: ${reason}` });
    if (this.failing) return answer(500, status(500, 'InternalError'));
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    const pod = match && request.method === 'GET' ? this.pods.get(`${match[1]}/${match[2]}`) : undefined;
    if (!pod) return answer(404, status(404, 'NotFound'));
    answer(200, { apiVersion: 'v1', kind: 'Pod', ...pod });
  }
}
