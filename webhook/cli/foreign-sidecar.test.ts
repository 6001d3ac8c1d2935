// A pod another injector got to first: told apart from one this injector
// injected itself (a second matching webhook), reported with its own skip
// reason (metric label, admission log line) and a warning; a Kuma injected
// annotation without a sidecar is warned about.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { podAdmissionReview } from '../demo/sample-review.ts';
import { injectPod, type Pod } from '../engine/index.ts';
import { WebhookMetrics } from '../http/index.ts';
import { appPod, testContext } from '../../test-support/webhook/engine-fixtures.ts';
import { testServer } from '../../test-support/webhook/http-fixtures.ts';
import { INJECTED_BY_ANOTHER, injectNoticingOthers } from './foreign-sidecar.ts';

const ctx = testContext();
const injectedBy = (context = ctx): Pod => {
  const outcome = injectPod(appPod(), context);
  if (outcome.result !== 'injected') throw new Error(`not injected: ${outcome.result}`);
  return outcome.pod;
};

describe('a kuma-sidecar this injector did not add', () => {
  it('a pod this injector injected (a second webhook call) is already_injected, without warnings', () => {
    expect(injectNoticingOthers(injectedBy(), ctx)).toEqual(injectPod(injectedBy(), ctx));
    expect(injectNoticingOthers(injectedBy(), ctx)).toMatchObject({ result: 'skipped', reason: 'already_injected' });
  });

  it('a pod injected with another configuration (another control plane) is injected_by_another, with a warning', () => {
    const other = testContext({ config: (config) => void (config.sidecarContainer.image = 'kong/kuma-dp:2.9.0') });
    const outcome = injectNoticingOthers(injectedBy(other), ctx);
    expect(outcome).toMatchObject({ result: 'skipped', reason: INJECTED_BY_ANOTHER });
    expect(outcome.result === 'skipped' ? outcome.warnings : []).toEqual([
      "WARNING: pod already has a kuma-sidecar container that this injector did not add (kuma-cp's injector or another one got there first)",
    ]);
  });

  it('a hand-written kuma-sidecar container is injected_by_another', () => {
    const pod = appPod({ spec: { containers: [{ name: 'kuma-sidecar', image: 'example.com/proxy:1' }, { name: 'web', image: 'nginx' }] } });
    expect(injectNoticingOthers(pod, ctx)).toMatchObject({ result: 'skipped', reason: INJECTED_BY_ANOTHER });
  });

  it('Kuma\'s injected annotation without a sidecar: injected, with a warning', () => {
    const outcome = injectNoticingOthers(appPod({ annotations: { 'kuma.io/sidecar-injected': 'true' } }), ctx);
    expect(outcome.result).toBe('injected');
    expect(outcome.result === 'injected' ? outcome.warnings : []).toContain(
      'pod has annotation kuma.io/sidecar-injected: "true" but no kuma-sidecar container: another injector marked it',
    );
  });

  it('the webhook counts it under its own reason and logs it at warn level', async () => {
    const stream = new PassThrough();
    let log = '';
    stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const app = await testServer({
      inject: (pod, namespace) => injectNoticingOthers(pod, namespace !== undefined ? { ...ctx, namespace } : ctx),
      metrics: new WebhookMetrics({ processMetrics: false }),
      logger: { level: 'info', stream },
    });
    try {
      const other = testContext({ config: (config) => void (config.sidecarContainer.image = 'kong/kuma-dp:2.9.0') });
      const res = await app.inject({ method: 'POST', url: '/inject-sidecar', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(podAdmissionReview(injectedBy(other), { namespace: 'demo' })) });
      expect(res.statusCode).toBe(200);
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(/kuma_injector_admissions_total\{[^}]*result="skipped"[^}]*reason="injected_by_another"[^}]*\} 1/);
      const line = log.split('\n').find((l) => l.includes(INJECTED_BY_ANOTHER));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 40, reason: INJECTED_BY_ANOTHER });
    } finally {
      await app.close();
    }
  });
});
