// Hostile input at the HTTP layer (issue 9): annotations over the API server's
// own limit, bodies nested deep enough to overflow a recursive walk, responses
// too large to be of use, protocol errors on a keep-alive connection, input
// that would amplify the logs, and clients that go away mid-request.
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'node:https';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { kumaDefaultInjectorConfig } from '../config/injector-config.ts';
import { defaultSettings } from '../config/settings.ts';
import { demoObjects } from '../demo/demo-state.ts';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { createInjectionContext, injectPod } from '../engine/index.ts';
import type { InjectFn } from '../http/admit.ts';
import { apiServerAnnotationBytes, maxBodyContainers, maxBodyDepth, maxLogFieldChars, maxPatchBytes } from '../limits/index.ts';
import { StaticClusterState } from '../state/static-state.ts';
import { decodeResponse, testCertificates, testServer } from '../../test-support/webhook/http-fixtures.ts';

const state = new StaticClusterState(demoObjects());
const context = createInjectionContext({ config: kumaDefaultInjectorConfig(), settings: defaultSettings, state });
const realEngine: InjectFn = (pod, namespace) => injectPod(pod, namespace !== undefined ? { ...context, namespace } : context);
const json = { 'content-type': 'application/json' };

type Server = Awaited<ReturnType<typeof testServer>>;
let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function server(overrides: Parameters<typeof testServer>[0] = {}): Promise<Server> {
  const app = await testServer({ inject: realEngine, ...overrides });
  cleanup.push(() => app.close());
  return app;
}

async function listening(overrides: Parameters<typeof testServer>[0] = {}): Promise<{ app: Server; port: number }> {
  const app = await server(overrides);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address ? address.port : 0 };
}

/** A logger writing JSON lines into an array. */
function capturedLog(level = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      bytes = Math.max(bytes, line.length);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return { logger: { level, stream }, lines, longestLine: () => bytes };
}

const nested = (depth: number, leaf: string): string => '['.repeat(depth) + leaf + ']'.repeat(depth);

describe('annotations over the API server’s limit (defect 1)', () => {
  it('refuses the pod with a message naming the limit, before the engine builds anything from them', async () => {
    const app = await server();
    const pod = samplePod();
    const metadata = pod.metadata as Record<string, unknown>;
    metadata.annotations = { 'traffic.kuma.io/exclude-outbound-ports-for-uids': 'a;'.repeat(apiServerAnnotationBytes / 2 + 16) };
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(res.statusCode).toBe(200);
    const { response } = decodeResponse(res.body);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/metadata\.annotations: Too long: must have at most 262144 bytes/);
    expect(res.body.length).toBeLessThan(2048);
  });

  it('still injects a pod whose annotations are just under the limit', async () => {
    const app = await server();
    const pod = samplePod();
    const key = 'example.com/filler';
    (pod.metadata as Record<string, unknown>).annotations = { [key]: 'x'.repeat(apiServerAnnotationBytes - key.length) };
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(decodeResponse(res.body).response.allowed).toBe(true);
  });
});

describe('the response bound (defect 1)', () => {
  it('refuses, rather than answers, a patch larger than the bound', async () => {
    const huge: InjectFn = (pod) => ({ result: 'injected', pod, patch: [{ op: 'add', path: '/metadata/annotations', value: { big: 'x'.repeat(maxPatchBytes) } }] });
    const app = await server({ inject: huge });
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(samplePod())) });
    expect(res.statusCode).toBe(200);
    const { response } = decodeResponse(res.body);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('patch');
    expect(res.body.length).toBeLessThan(2048);
  });
});

describe('bodies of many objects', () => {
  it('refuses a review padded with more empty objects than any pod holds, unparsed; a pod of many small objects is injected', async () => {
    const app = await server();
    const padded = (objects: number) => `${JSON.stringify(podAdmissionReview(samplePod())).slice(0, -1)},"padding":[${'{},'.repeat(objects - 1)}{}]}`;
    const refused = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: padded(maxBodyContainers) });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json<{ code: string; message: string }>()).toMatchObject({ code: 'KI_ERR_TOO_MANY_OBJECTS' });
    expect(refused.json<{ message: string }>().message).toContain(String(maxBodyContainers));
    // The densest pod the API server accepts (3 MiB of 13-byte env vars) stays under the bound.
    const pod = samplePod();
    const containers = (pod.spec as { containers: { env?: { name: string }[] }[] }).containers;
    containers[0]!.env = Array.from({ length: Math.floor((3 * 1024 * 1024) / 13) }, () => ({ name: 'a' }));
    const dense = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(dense.statusCode, dense.body.slice(0, 300)).toBe(200);
  });
});

describe('deep nesting (defect 5)', () => {
  const deepReviews: [string, (review: ReturnType<typeof podAdmissionReview>) => void][] = [
    ['apiVersion', (review) => ((review as Record<string, unknown>).apiVersion = nested(20_000, '1'))],
    ['request.namespace', (review) => ((review.request as Record<string, unknown>).namespace = nested(20_000, '"x"'))],
    ['a probe field', (review) => ((review.request.object.spec as { containers: Record<string, unknown>[] }).containers[0]!.livenessProbe = { httpGet: { path: nested(20_000, '"/"'), port: 80 } })],
  ];

  it.each(deepReviews)('20,000 levels in %s → 400 KI_ERR_TOO_DEEP, and the server keeps serving', async (_name, change) => {
    const app = await server();
    const review = podAdmissionReview(samplePod());
    // The nested array is spliced in as JSON text: building it as an object would overflow here too.
    change(review);
    const text = JSON.stringify(review).replace(/"(\[+[^\]]*\]+)"/, (_m, inner: string) => inner.replace(/\\"/g, '"'));
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: text });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ code: string; message: string }>()).toMatchObject({ code: 'KI_ERR_TOO_DEEP' });
    expect(res.json<{ message: string }>().message).toContain(String(maxBodyDepth));
    const good = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(samplePod())) });
    expect(decodeResponse(good.body).response.allowed).toBe(true);
  });

  it('accepts the nesting a real pod has', async () => {
    const app = await server();
    const pod = samplePod();
    (pod.spec as Record<string, unknown>).affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] } } },
        ],
      },
    };
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(decodeResponse(res.body).response.allowed).toBe(true);
  });
});

/** Sends raw bytes on a new TLS connection; resolves with what came back and how the connection ended. */
function rawExchange(port: number, ca: string, bytes: string): Promise<{ text: string; ending: 'end' | 'reset' }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => socket.write(bytes));
    let text = '';
    let ending: 'end' | 'reset' = 'end';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', () => (ending = 'reset'));
    socket.on('close', () => resolve({ text, ending }));
  });
}

describe('protocol errors on a keep-alive connection (defect 6)', () => {
  const badRequests: [string, string, number, string][] = [
    ['headers over the limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'KI_ERR_HEADERS_TOO_LARGE'],
    ['a bad request line', 'GARBAGE\r\n\r\n', 400, 'KI_ERR_BAD_REQUEST'],
  ];

  it.each(badRequests)('%s: the answer says Connection: close, with a catalogued body, and the connection ends cleanly', async (_name, bytes, status, code) => {
    const { port } = await listening();
    const { caCert } = await testCertificates();
    const { text, ending } = await rawExchange(port, caCert, bytes);
    expect(text).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(text.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: status, code });
    expect(ending).toBe('end');
  });

  it('a keep-alive client’s next request after a 431 goes out on a new connection and is served', async () => {
    const { port } = await listening();
    const { caCert } = await testCertificates();
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: caCert, servername: 'localhost' });
    cleanup.push(() => agent.destroy());
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < 5; i++) {
      expect(await get({ 'x-big': 'a'.repeat(20_000) })).toBe(431);
      expect(await get({})).toBe(200);
    }
  });
});

describe('log lines are bounded (defect 7)', () => {
  it('caps the uid, pod name, namespace and refusal message of a hostile review', async () => {
    const log = capturedLog();
    const app = await server({ logger: log.logger });
    const long = 'n'.repeat(1 << 20);
    const pod = samplePod();
    const metadata = pod.metadata as Record<string, unknown>;
    metadata.name = long;
    (metadata.labels as Record<string, string>)['kuma.io/sidecar-injection'] = long;
    const review = podAdmissionReview(pod, { uid: long, namespace: long });
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(review) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const line = log.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('admission'));
    expect(line, JSON.stringify(log.lines).slice(0, 500)).toBeDefined();
    for (const field of ['uid', 'pod', 'namespace', 'message']) {
      const value = String(line![field]);
      expect(value.length, field).toBeLessThanOrEqual(maxLogFieldChars + 64);
      expect(value, field).toContain('nnnn');
    }
    expect(log.longestLine()).toBeLessThan(16 * 1024);
  });

  it('caps the message and stack of an engine failure but keeps the original stack', async () => {
    const log = capturedLog();
    const failing: InjectFn = () => {
      throw new TypeError(`boom ${'x'.repeat(1 << 20)}`);
    };
    const app = await server({ inject: failing, logger: log.logger });
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(samplePod())) });
    expect(res.statusCode).toBe(500);
    expect(res.body.length).toBeLessThan(4096);
    const line = log.lines.find((l) => l.level === 50)!;
    const err = line.err as { stack: string };
    expect(err.stack).toContain('TypeError: boom');
    expect(err.stack).toContain('http-hostile.test.ts');
    expect(log.longestLine()).toBeLessThan(32 * 1024);
  });
});

describe('client aborts and timeouts (defect 8)', () => {
  it('a client that goes away mid-body is an info line, not an error with a stack', async () => {
    const log = capturedLog();
    const { port } = await listening({ logger: log.logger });
    const { caCert } = await testCertificates();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca: caCert, servername: 'localhost' }, () => {
          socket.write('POST /inject-sidecar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":');
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
      });
    }
    const until = Date.now() + 5000;
    while (log.lines.filter((l) => l.reason === 'KI_ERR_CLIENT_ABORTED').length < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(log.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const aborted = log.lines.filter((l) => l.reason === 'KI_ERR_CLIENT_ABORTED');
    expect(aborted, JSON.stringify(log.lines)).toHaveLength(5);
    expect(aborted.every((l) => l.level === 30 && l.err === undefined)).toBe(true);
  });

  it('a request the server times out is an info line', async () => {
    const log = capturedLog();
    const { port } = await listening({ logger: log.logger, requestTimeout: 300 });
    const { caCert } = await testCertificates();
    const { text } = await rawExchange(port, caCert, 'POST /inject-sidecar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    expect(text).toMatch(/^HTTP\/1.1 408 /);
    expect(text.toLowerCase()).toContain('connection: close');
    const until = Date.now() + 3000;
    while (!log.lines.some((l) => l.code === 'KI_ERR_REQUEST_TIMEOUT') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(log.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(log.lines.find((l) => l.code === 'KI_ERR_REQUEST_TIMEOUT')).toMatchObject({ level: 30 });
  });
});

describe('a polluting ContainerPatch (defect 3)', () => {
  it('denies the pod that references it, pollutes nothing, and the next pods are injected', async () => {
    const polluter = { apiVersion: 'kuma.io/v1alpha1', kind: 'ContainerPatch', metadata: { name: 'polluter', namespace: 'kuma-system' }, spec: { sidecarPatch: [{ op: 'add', path: '/__proto__/polluted', value: '"yes"' }] } };
    const patched = createInjectionContext({ config: kumaDefaultInjectorConfig(), settings: defaultSettings, state: new StaticClusterState([...demoObjects(), polluter]) });
    const app = await server({ inject: (pod, namespace) => injectPod(pod, namespace !== undefined ? { ...patched, namespace } : patched) });
    const pod = samplePod();
    (pod.metadata as Record<string, unknown>).annotations = { 'kuma.io/container-patches': 'polluter' };
    const denied = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(decodeResponse(denied.body).response).toMatchObject({ allowed: false, status: { message: expect.stringContaining('__proto__') as string } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const next = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(samplePod())) });
      expect(decodeResponse(next.body).ops.length).toBeGreaterThan(0);
    }
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });
});
