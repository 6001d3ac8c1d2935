// Bad input never crashes the server: every malformed request gets its
// documented status and stable code, and the next good review is still served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { webhookErrors } from '../http/errors.ts';
import { defaultBodyLimit } from '../http/server.ts';
import { decodeResponse, testServer } from '../../test-support/webhook/http-fixtures.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
const json = { 'content-type': 'application/json' };

/** A good review, changed by `change` (which gets the review and its request as plain records). */
const reviewWith = (change: (review: Record<string, unknown>, request: Record<string, unknown>) => void): string => {
  const review = podAdmissionReview(samplePod());
  change(review, review.request);
  return JSON.stringify(review);
};

const cases: [name: string, headers: Record<string, string>, payload: string, code: keyof typeof webhookErrors][] = [
  ['malformed JSON', json, '{"apiVersion": "admission.k8s.io/v1", "kind": ', 'KI_ERR_MALFORMED_JSON'],
  ['an empty body', json, '', 'KI_ERR_EMPTY_BODY'],
  ['a JSON array', json, '[]', 'KI_ERR_NOT_ADMISSION_REVIEW'],
  ['a JSON string', json, '"AdmissionReview"', 'KI_ERR_NOT_ADMISSION_REVIEW'],
  ['apiVersion v1beta1', json, reviewWith((r) => (r.apiVersion = 'admission.k8s.io/v1beta1')), 'KI_ERR_NOT_ADMISSION_REVIEW'],
  ['no apiVersion', json, reviewWith((r) => delete r.apiVersion), 'KI_ERR_NOT_ADMISSION_REVIEW'],
  ['kind Pod', json, reviewWith((r) => (r.kind = 'Pod')), 'KI_ERR_NOT_ADMISSION_REVIEW'],
  ['a review without request', json, reviewWith((r) => delete r.request), 'KI_ERR_MISSING_REQUEST'],
  ['a request that is a string', json, reviewWith((r) => (r.request = 'pod')), 'KI_ERR_MISSING_REQUEST'],
  ['a request without uid', json, reviewWith((_r, request) => delete request.uid), 'KI_ERR_MISSING_UID'],
  ['a Pod CREATE without object', json, reviewWith((_r, request) => delete request.object), 'KI_ERR_MISSING_OBJECT'],
  ['a Pod CREATE with a null object', json, reviewWith((_r, request) => (request.object = null)), 'KI_ERR_MISSING_OBJECT'],
  ['a Pod CREATE with an array object', json, reviewWith((_r, request) => (request.object = [])), 'KI_ERR_MISSING_OBJECT'],
  ['a __proto__ key (prototype poisoning)', json, '{"apiVersion":"admission.k8s.io/v1","__proto__":{"x":1}}', 'KI_ERR_MALFORMED_JSON'],
  ['an escaped __proto__ key', json, '{"apiVersion":"admission.k8s.io/v1","\\u005f_proto__":{"x":1}}', 'KI_ERR_MALFORMED_JSON'],
  ['a constructor.prototype key', json, '{"apiVersion":"admission.k8s.io/v1","constructor":{"prototype":{"x":1}}}', 'KI_ERR_MALFORMED_JSON'],
  ['text/plain', { 'content-type': 'text/plain' }, reviewWith(() => {}), 'KI_ERR_UNSUPPORTED_MEDIA_TYPE'],
  ['no content-type', {}, reviewWith(() => {}), 'KI_ERR_UNSUPPORTED_MEDIA_TYPE'],
];

describe('bad input on POST /inject-sidecar', () => {
  let app: Server;
  beforeAll(async () => {
    app = await testServer({ bodyLimit: 64 * 1024 });
  });
  afterAll(() => app.close());

  const serveGoodReview = async () => {
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: reviewWith(() => {}) });
    expect(res.statusCode).toBe(200);
    expect(decodeResponse(res.body).response.allowed).toBe(true);
  };

  it.each(cases)('%s → documented status and code, and the server keeps serving', async (_name, headers, payload, code) => {
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers, payload });
    expect(res.statusCode).toBe(webhookErrors[code].statusCode);
    const body = res.json<{ message: string }>();
    expect(body).toMatchObject({ statusCode: webhookErrors[code].statusCode, code });
    expect(body.message).toContain(webhookErrors[code].message);
    await serveGoodReview();
  });

  it('names what is wrong with the envelope', async () => {
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: reviewWith((r) => (r.apiVersion = 'admission.k8s.io/v1beta1')) });
    expect(res.json<{ message: string }>().message).toBe(
      'expected an AdmissionReview of apiVersion admission.k8s.io/v1: got apiVersion "admission.k8s.io/v1beta1" and kind "AdmissionReview"',
    );
  });

  it('answers 413 KI_ERR_BODY_TOO_LARGE over the configured limit, and keeps serving', async () => {
    const pod = samplePod();
    (pod.metadata as Record<string, unknown>).annotations = { big: 'x'.repeat(64 * 1024) };
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: JSON.stringify(podAdmissionReview(pod)) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'KI_ERR_BODY_TOO_LARGE' });
    await serveGoodReview();
  });

  it('accepts application/json with parameters, as some clients send it', async () => {
    const headers = { 'content-type': 'application/json; charset=utf-8' };
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers, payload: reviewWith(() => {}) });
    expect(res.statusCode).toBe(200);
  });

  it('answers 404 KI_ERR_NOT_FOUND for unknown paths', async () => {
    const res = await app.inject({ method: 'POST', url: '/mutate', headers: json, payload: '{}' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'KI_ERR_NOT_FOUND' });
  });
});

describe('the default body limit', () => {
  let app: Server;
  beforeAll(async () => {
    app = await testServer();
  });
  afterAll(() => app.close());

  it('accepts a 2 MiB review (over Fastify’s 1 MiB default) and refuses one over 7 MiB', async () => {
    const sized = (bytes: number) => {
      const pod = samplePod();
      (pod.metadata as Record<string, unknown>).annotations = { big: 'x'.repeat(bytes) };
      return JSON.stringify(podAdmissionReview(pod));
    };
    const ok = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: sized(2 << 20) });
    expect(ok.statusCode).toBe(200);
    const tooLarge = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: json, payload: sized(defaultBodyLimit) });
    expect(tooLarge.statusCode).toBe(413);
  });
});
