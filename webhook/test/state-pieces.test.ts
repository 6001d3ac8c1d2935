// The pure pieces of the informer-backed state: what a cache keeps of an
// object, the restart backoff, and how API errors read.
import { ApiException, V1Namespace } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeApiError, statusOf } from '../kube-api/index.ts';
import { backoffDelay } from '../state/backoff.ts';
import { slimObject } from '../state/slim-object.ts';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', keep: [] };
const MESH = { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', keep: ['spec'] };

describe('slimObject', () => {
  it('turns a client-node model instance (Date timestamps) into plain JSON with only the read fields', () => {
    const model = new V1Namespace();
    model.metadata = {
      name: 'demo',
      labels: { 'kuma.io/sidecar-injection': 'enabled' },
      annotations: { 'kuma.io/mesh': 'default' },
      creationTimestamp: new Date('2024-01-02T03:04:05Z'),
      resourceVersion: '42',
      uid: 'u',
      managedFields: [{ manager: 'kubectl', time: new Date() }],
    };
    model.status = { phase: 'Active' };
    const slim = slimObject(model, NAMESPACE);
    expect(slim).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'demo',
        labels: { 'kuma.io/sidecar-injection': 'enabled' },
        annotations: { 'kuma.io/mesh': 'default' },
        resourceVersion: '42',
      },
    });
    expect(Object.getPrototypeOf(slim)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(slim))).toEqual(slim);
  });

  it('keeps a deep copy of the kept fields, and drops labels that are not strings', () => {
    const source = { metadata: { name: 'm', labels: { ok: 'yes', bad: 1 } }, spec: { mtls: { backends: [{ name: 'ca' }] } }, status: {} };
    const slim = slimObject(source, MESH)!;
    source.spec.mtls.backends[0]!.name = 'changed';
    expect(slim.spec).toEqual({ mtls: { backends: [{ name: 'ca' }] } });
    expect(slim.metadata.labels).toEqual({ ok: 'yes' });
    expect(slim).not.toHaveProperty('status');
  });

  it('rejects what is not an object with a name', () => {
    for (const bad of [null, 'x', [], {}, { metadata: {} }, { metadata: { name: '' } }, { metadata: { name: 7 } }]) {
      expect(slimObject(bad, NAMESPACE)).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  const policy = { initialMs: 500, maxMs: 30_000 };

  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 7, 8, 50].map((attempt) => backoffDelay(attempt, policy, 0))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000,
    ]);
  });

  it('stays within [initial, max] and never decreases from one attempt to the next (any jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
        const delay = backoffDelay(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(policy.initialMs);
        expect(delay).toBeLessThanOrEqual(policy.maxMs);
        expect(backoffDelay(attempt + 1, policy, random)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });
});

describe('describeApiError', () => {
  it('reads the Status message of an ApiException', () => {
    const body = JSON.stringify({ kind: 'Status', code: 403, message: 'meshes.kuma.io is forbidden: User "x" cannot list' });
    const error = new ApiException(403, 'Forbidden', body, {});
    expect(statusOf(error)).toBe(403);
    expect(describeApiError(error)).toBe('HTTP 403: meshes.kuma.io is forbidden: User "x" cannot list');
  });

  it('names the status of a failed watch and passes network errors through', () => {
    expect(describeApiError(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }))).toBe('HTTP 500: Internal Server Error');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    expect(statusOf(refused)).toBeUndefined();
    expect(describeApiError(refused)).toBe('connect ECONNREFUSED 127.0.0.1:6443');
  });
});
