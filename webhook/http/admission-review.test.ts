import { describe, expect, it } from 'vitest';
import { allow, base64Utf8, deny, readAdmissionReview } from './admission-review.ts';

const review = readAdmissionReview({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-"1"\\', kind: { kind: 'Pod' }, object: {} },
});

describe('response review written as JSON text', () => {
  it('is the same text JSON.stringify gives for the response object, with the patch in base64', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/annotations/kuma.io~1mesh', value: 'dé"fault' }];
    const text = allow(review, patch);
    const expected = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-"1"\\', allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') },
    };
    expect(text).toBe(JSON.stringify(expected));
    const parsed = JSON.parse(text) as typeof expected;
    expect(JSON.parse(Buffer.from(parsed.response.patch, 'base64').toString())).toEqual(patch);
  });

  it('leaves the patch fields out when there are no operations', () => {
    expect(JSON.parse(allow(review))).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-"1"\\', allowed: true } });
  });

  it('denies with a 403 status carrying the message verbatim', () => {
    const message = 'annotation "kuma.io/sidecar-injection" has wrong value "maybe"\n';
    expect(deny(review, message)).toBe(
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: 'u-"1"\\', allowed: false, status: { code: 403, reason: 'Forbidden', message } },
      }),
    );
  });
});

describe('base64Utf8', () => {
  it('encodes the UTF-8 bytes, through btoa for ASCII and through a Buffer otherwise', () => {
    for (const text of ['', 'a', '[{"op":"add"}]', 'dé', 'ÿ', '日本', '😀 emoji', '\u0000\u007f\u0080']) {
      expect(base64Utf8(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
    }
  });
});

describe('reading the review', () => {
  it('refuses a request.namespace that is not a string (the engine looks it up by name)', () => {
    const body = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', namespace: {}, object: {} } };
    expect(() => readAdmissionReview(body)).toThrow(expect.objectContaining({ code: 'KI_ERR_NOT_ADMISSION_REVIEW', statusCode: 400 }));
    expect(readAdmissionReview({ ...body, request: { ...body.request, namespace: 'shop' } }).request.namespace).toBe('shop');
  });
});
