// Bad input never crashes the server, over generated input: whatever the body,
// the answer is an AdmissionReview (200) or a catalogued 4xx, never a 5xx, and
// a good review is still served afterwards. The real engine and the demo state
// sit behind the server.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kumaDefaultInjectorConfig } from '../config/injector-config.ts';
import { defaultSettings } from '../config/settings.ts';
import { demoObjects } from '../demo/demo-state.ts';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { createInjectionContext, injectPod } from '../engine/index.ts';
import type { InjectFn } from '../http/admit.ts';
import { webhookErrors } from '../http/errors.ts';
import { StaticClusterState } from '../state/static-state.ts';
import { decodeResponse, testServer } from '../../test-support/webhook/http-fixtures.ts';

const state = new StaticClusterState(demoObjects());
const context = createInjectionContext({ config: kumaDefaultInjectorConfig(), settings: defaultSettings, state });
const realEngine: InjectFn = (pod, namespace) => injectPod(pod, namespace !== undefined ? { ...context, namespace } : context);
const catalogued4xx = new Set(Object.values(webhookErrors).map((e) => e.code));

type Server = Awaited<ReturnType<typeof testServer>>;

describe('generated input on POST /inject-sidecar (real engine)', () => {
  let app: Server;
  beforeAll(async () => {
    app = await testServer({ inject: realEngine });
  });
  afterAll(() => app.close());

  async function expectHandled(payload: string): Promise<void> {
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: { 'content-type': 'application/json' }, payload });
    if (res.statusCode === 200) {
      expect(typeof decodeResponse(res.body).response.allowed).toBe('boolean');
    } else {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
      expect(catalogued4xx.has(res.json<{ code: string }>().code)).toBe(true);
    }
  }

  it('any JSON body', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), (body) => expectHandled(JSON.stringify(body))), { numRuns: 300 });
  });

  it('any text body', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), (body) => expectHandled(body)), { numRuns: 200 });
  });

  it('a Pod CREATE review with any request field replaced by any JSON value', async () => {
    const fields = ['uid', 'kind', 'operation', 'namespace', 'object', 'dryRun', 'subResource', 'name'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.jsonValue(), async (field, value) => {
        const review = podAdmissionReview(samplePod());
        (review.request as Record<string, unknown>)[field] = value;
        await expectHandled(JSON.stringify(review));
      }),
      { numRuns: 300 },
    );
  });

  it('a Pod CREATE of a pod with any metadata or spec field replaced by any JSON value', async () => {
    const paths: [string, string][] = [
      ['metadata', 'labels'],
      ['metadata', 'annotations'],
      ['metadata', 'name'],
      ['spec', 'containers'],
      ['spec', 'initContainers'],
      ['spec', 'volumes'],
      ['spec', 'serviceAccountName'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async ([part, key], value) => {
        const pod = samplePod();
        (pod[part] as Record<string, unknown>)[key] = value;
        await expectHandled(JSON.stringify(podAdmissionReview(pod)));
      }),
      { numRuns: 300 },
    );
  });

  it('still injects a good pod afterwards', async () => {
    const res = await app.inject({ method: 'POST', url: '/inject-sidecar', payload: podAdmissionReview(samplePod()) });
    expect(res.statusCode).toBe(200);
    expect(decodeResponse(res.body).ops.length).toBeGreaterThan(0);
  });
});
