// POST /inject-sidecar: what comes back for each kind of review and outcome.
import jsonpatch from 'fast-json-patch';
import { afterEach, describe, expect, it } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import type { InjectFn } from '../http/admit.ts';
import { addSidecar, decodeResponse, injectionLabel, testServer } from '../../test-support/webhook/http-fixtures.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
let app: Server | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function post(server: Server, review: unknown) {
  const res = await server.inject({ method: 'POST', url: '/inject-sidecar', payload: review as object });
  return { statusCode: res.statusCode, ...decodeResponse(res.body) };
}

function labelledPod(value: string): Record<string, unknown> {
  const pod = samplePod();
  (pod.metadata as { labels: Record<string, string> }).labels[injectionLabel] = value;
  return pod;
}

describe('POST /inject-sidecar', () => {
  it('echoes the uid, apiVersion and kind and returns a base64 JSONPatch that injects the pod', async () => {
    app = await testServer();
    const review = podAdmissionReview(samplePod(), { uid: 'c0ffee00-1111-4222-8333-444455556666' });
    const res = await post(app, review);
    expect(res.statusCode).toBe(200);
    expect(res.apiVersion).toBe('admission.k8s.io/v1');
    expect(res.kind).toBe('AdmissionReview');
    expect(res.response.uid).toBe('c0ffee00-1111-4222-8333-444455556666');
    expect(res.response.allowed).toBe(true);
    expect(res.response.patchType).toBe('JSONPatch');
    const patched = jsonpatch.applyPatch(structuredClone(review.request.object), res.ops, true, false).newDocument as {
      spec: { containers: { name: string }[] };
    };
    expect(patched.spec.containers.map((c) => c.name)).toEqual(['demo-app', 'kuma-sidecar']);
  });

  it('gives request.namespace to the engine', async () => {
    const seen: (string | undefined)[] = [];
    app = await testServer({ inject: (pod, namespace) => (seen.push(namespace), addSidecar(pod, namespace)) });
    const res = await post(app, podAdmissionReview(samplePod(), { namespace: 'shop' }));
    expect(seen).toEqual(['shop']);
    expect(res.ops).toContainEqual({ op: 'add', path: '/metadata/namespace', value: 'shop' });
  });

  it('omits patch and patchType when the engine skips the pod', async () => {
    app = await testServer();
    const review = podAdmissionReview(labelledPod('disabled'));
    const res = await post(app, review);
    expect(res.response).toEqual({ uid: review.request.uid, allowed: true });
  });

  it('omits patch and patchType when an injection has no operations', async () => {
    app = await testServer({ inject: (pod) => ({ result: 'injected', pod, patch: [] }) });
    const review = podAdmissionReview(samplePod());
    const res = await post(app, review);
    expect(res.response).toEqual({ uid: review.request.uid, allowed: true });
  });

  it("refuses an unknown injection label value with Kuma's message", async () => {
    app = await testServer();
    const res = await post(app, podAdmissionReview(labelledPod('yes-please')));
    expect(res.statusCode).toBe(200);
    expect(res.response.allowed).toBe(false);
    expect(res.response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'annotation "kuma.io/sidecar-injection" has wrong value "yes-please"',
    });
    expect(res.response.patch).toBeUndefined();
  });

  it.each([
    ['a non-Pod kind', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }],
    ['a Service', { kind: { group: '', version: 'v1', kind: 'Service' } }],
    ['an UPDATE', { operation: 'UPDATE' }],
    ['a DELETE without object', { operation: 'DELETE', object: null }],
    ['a subresource', { subResource: 'ephemeralcontainers' }],
  ])('allows %s unchanged without calling the engine', async (_name, change) => {
    let calls = 0;
    app = await testServer({ inject: (pod, ns) => (calls++, addSidecar(pod, ns)) });
    const review = podAdmissionReview(samplePod());
    Object.assign(review.request, change);
    const res = await post(app, review);
    expect(res.statusCode).toBe(200);
    expect(res.response).toEqual({ uid: review.request.uid, allowed: true });
    expect(calls).toBe(0);
  });

  it('answers a dry-run review exactly like a real one', async () => {
    app = await testServer();
    const real = await post(app, podAdmissionReview(samplePod(), { uid: 'u' }));
    const dry = await post(app, podAdmissionReview(samplePod(), { uid: 'u', dryRun: true }));
    expect(dry.response).toEqual(real.response);
  });

  it('answers 503 KI_ERR_NOT_READY instead of injecting from an unsynced state', async () => {
    let calls = 0;
    app = await testServer({ state: { ready: () => false }, inject: (pod, ns) => (calls++, addSidecar(pod, ns)) });
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', payload: podAdmissionReview(samplePod()) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'KI_ERR_NOT_READY' });
    expect(calls).toBe(0);
  });

  it('answers 500 KI_ERR_INJECTION_FAILED when the engine throws, and keeps serving', async () => {
    let fail = true;
    const flaky: InjectFn = (pod, ns) => {
      if (fail) throw new TypeError('cannot read properties of undefined');
      return addSidecar(pod, ns);
    };
    app = await testServer({ inject: flaky });
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', payload: podAdmissionReview(samplePod()) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'KI_ERR_INJECTION_FAILED', message: 'injection failed: cannot read properties of undefined' });
    fail = false;
    expect((await post(app, podAdmissionReview(samplePod()))).response.allowed).toBe(true);
  });
});
