// Probes, Prometheus metrics and JSON logs of the webhook server.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { WebhookMetrics } from '../http/metrics.ts';
import { injectionLabel, testServer } from '../../test-support/webhook/http-fixtures.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
let app: Server | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const admit = (server: Server, review: unknown) => server.inject({ method: 'POST', url: '/inject-sidecar', payload: review as object });

function refusedPod(): Record<string, unknown> {
  const pod = samplePod();
  (pod.metadata as { labels: Record<string, string> }).labels[injectionLabel] = 'maybe';
  return pod;
}

describe('probes', () => {
  it('/healthz answers while /readyz follows the state, the certificate and draining', async () => {
    let synced = false;
    let draining = false;
    app = await testServer({ state: { ready: () => synced }, draining: () => draining });
    expect((await app.inject('/healthz')).statusCode).toBe(200);

    const unsynced = await app.inject('/readyz');
    expect(unsynced.statusCode).toBe(503);
    expect(unsynced.body).toContain('cluster state not synced');

    synced = true;
    expect((await app.inject('/readyz')).statusCode).toBe(200);

    draining = true;
    const closing = await app.inject('/readyz');
    expect(closing.statusCode).toBe(503);
    expect(closing.body).toContain('shutting down');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('counts admissions by result and reason, with a sub-millisecond latency histogram and process metrics', async () => {
    app = await testServer({ metrics: new WebhookMetrics() });
    await admit(app, podAdmissionReview(samplePod()));
    await admit(app, podAdmissionReview(samplePod()));
    await admit(app, podAdmissionReview(samplePod(), { dryRun: true }));
    await admit(app, podAdmissionReview(refusedPod()));
    await admit(app, podAdmissionReview(samplePod(), { operation: 'DELETE' }));
    await app.inject({ method: 'POST', url: '/inject-sidecar', headers: { 'content-type': 'application/json' }, payload: '{' });
    await app.inject({ method: 'POST', url: '/inject-sidecar?timeout=10s', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    // Not the admission route: not an admission.
    await app.inject({ method: 'GET', url: '/inject-sidecar' });

    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('kuma_injector_admissions_total{result="injected",reason="",dry_run="false"} 2');
    expect(text).toContain('kuma_injector_admissions_total{result="injected",reason="",dry_run="true"} 1');
    expect(text).toContain('kuma_injector_admissions_total{result="refused",reason="invalid_label_value",dry_run="false"} 1');
    expect(text).toContain('kuma_injector_admissions_total{result="ignored",reason="not_create",dry_run="false"} 1');
    expect(text).toContain('kuma_injector_admissions_total{result="invalid",reason="KI_ERR_MALFORMED_JSON",dry_run="false"} 1');
    expect(text).toContain('kuma_injector_admissions_total{result="invalid",reason="KI_ERR_UNSUPPORTED_MEDIA_TYPE",dry_run="false"} 1');
    expect(text).not.toContain('reason="KI_ERR_NOT_FOUND"');
    expect(text).toContain('kuma_injector_admission_duration_seconds_bucket{le="0.0001",result="injected"}');
    expect(text).toContain('kuma_injector_admission_duration_seconds_count{result="injected"} 3');
    expect(text).toContain('process_resident_memory_bytes');
    // Probes and scrapes are not admissions.
    await app.inject('/healthz');
    expect((await app.inject('/metrics')).body).toContain('kuma_injector_admission_duration_seconds_count{result="injected"} 3');
  });
});

describe('logs', () => {
  async function logsOf(run: (server: Server) => Promise<unknown>, overrides: Parameters<typeof testServer>[0] = {}): Promise<Record<string, unknown>[]> {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    app = await testServer({ ...overrides, logger: { level: 'info', stream } });
    await run(app);
    await app.close();
    app = undefined;
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('writes one JSON line per admission carrying the uid and decision, and none for probes', async () => {
    const lines = await logsOf(async (server) => {
      await server.inject('/healthz');
      await server.inject('/readyz');
      await server.inject('/metrics');
      await admit(server, podAdmissionReview(samplePod(), { uid: 'uid-injected' }));
      await admit(server, podAdmissionReview(refusedPod(), { uid: 'uid-refused' }));
    });
    const requestLines = lines.filter((l) => l.reqId !== undefined);
    expect(requestLines.map((l) => l.uid)).toEqual(['uid-injected', 'uid-refused']);
    expect(requestLines[0]).toMatchObject({ msg: 'admission', result: 'injected', namespace: 'demo', pod: 'demo-app-5d8f7c9b4-' });
    expect(requestLines[1]).toMatchObject({
      result: 'refused',
      reason: 'invalid_label_value',
      message: 'annotation "kuma.io/sidecar-injection" has wrong value "maybe"',
    });
    expect(lines.some((l) => JSON.stringify(l).includes('/healthz'))).toBe(false);
  });

  it("logs Kuma's warnings about a pod at warn, on the admission line", async () => {
    const warnings = ['annotation "kuma.io/sidecar-injection" is deprecated'];
    const lines = await logsOf((server) => admit(server, podAdmissionReview(samplePod(), { uid: 'uid-warned' })), {
      inject: (pod) => ({ result: 'injected', pod, patch: [], warnings }),
    });
    expect(lines.find((l) => l.uid === 'uid-warned')).toMatchObject({ level: 40, msg: 'admission with warnings', warnings });
  });

  it('logs a rejected request at warn with its error code', async () => {
    const lines = await logsOf((server) =>
      server.inject({ method: 'POST', url: '/inject-sidecar', headers: { 'content-type': 'application/json' }, payload: '[]' }),
    );
    const line = lines.find((l) => l.msg === 'admission request rejected');
    expect(line).toMatchObject({ level: 40, result: 'invalid', reason: 'KI_ERR_NOT_ADMISSION_REVIEW', statusCode: 400 });
  });
});
