// "An admission load issues zero API requests (counted)": the real engine
// behind the real HTTP server reads an informer-backed ClusterState, synced
// from a STAND-IN Kubernetes API server on loopback (the real one cannot run
// here). After the initial sync, hundreds of admissions that read Namespaces,
// Meshes, ContainerPatches and the transparent-proxy ConfigMap must not make
// a single request: every read is served from the watch caches.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kumaDefaultInjectorConfig } from '../config/injector-config.ts';
import { defaultSettings } from '../config/settings.ts';
import { podAdmissionReview } from '../demo/sample-review.ts';
import { createInjectionContext, injectPod } from '../engine/index.ts';
import type { InjectFn } from '../http/admit.ts';
import { startInformerState, type InformerClusterState } from '../state/informer-state.ts';
import { decodeResponse, testServer } from '../../test-support/webhook/http-fixtures.ts';
import { StandInApiServer } from '../../test-support/webhook/stand-in-api-server.ts';

const SYSTEM = 'kuma-system';
const TPROXY = 'kuma-transparent-proxy-config';
const ADMISSIONS = 300;

/** Namespace and pod annotations of each kind of admission; each reads a different part of the state. */
const MIX: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['shop', { 'kuma.io/container-patches': 'privileged-off' }],
  ['shop', {}],
  ['plain', {}],
  ['elsewhere', {}],
];

const pod = (name: string, annotations: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name }, annotations },
  spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
});

describe('admission load against the informer-backed state (stand-in API server)', () => {
  let standIn: StandInApiServer;
  let state: InformerClusterState;

  beforeAll(async () => {
    standIn = await StandInApiServer.start();
    standIn.put({ kind: 'Namespace', metadata: { name: SYSTEM } });
    standIn.put({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
    standIn.put({ kind: 'Namespace', metadata: { name: 'plain' } });
    standIn.put({
      kind: 'Namespace',
      metadata: { name: 'elsewhere', labels: { 'kuma.io/sidecar-injection': 'enabled' }, annotations: { 'kuma.io/mesh': 'absent' } },
    });
    standIn.put({ kind: 'Mesh', metadata: { name: 'default' } });
    standIn.put({
      kind: 'ContainerPatch',
      metadata: { name: 'privileged-off', namespace: SYSTEM },
      spec: { sidecarPatch: [{ op: 'add', path: '/securityContext/privileged', value: 'false' }] },
    });
    standIn.put({
      kind: 'ConfigMap',
      metadata: { name: TPROXY, namespace: SYSTEM },
      data: { 'config.yaml': 'kumaDPUser: "5678"\nipFamilyMode: dualstack\n' },
    });
    state = startInformerState({
      kubeConfig: standIn.kubeConfig(),
      systemNamespace: SYSTEM,
      transparentProxyConfigMap: TPROXY,
      relistIntervalMs: 0,
      logger: { info: () => {}, warn: () => {} },
    });
    await state.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), { timeout: 10_000 });
  });

  afterAll(async () => {
    await state?.stop();
    await standIn?.close();
  });

  it(`serves ${ADMISSIONS} admissions from the caches with zero API requests`, async () => {
    const config = kumaDefaultInjectorConfig();
    config.transparentProxyConfigMap = TPROXY; // the config-annotation path: every injection reads the ConfigMap
    const context = createInjectionContext({ config, settings: { ...defaultSettings, systemNamespace: SYSTEM, caCert: 'CA' }, state });
    const inject: InjectFn = (p, namespace) => injectPod(p, namespace !== undefined ? { ...context, namespace } : context);
    const app = await testServer({ inject, state });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);

      const requestsBefore = standIn.requestCount();
      const countedBefore = state.apiRequests();
      const results = { injected: 0, skipped: 0, refused: 0 };
      for (let i = 0; i < ADMISSIONS; i += 1) {
        const [namespace, annotations] = MIX[i % MIX.length]!;
        const response = await app.inject({
          method: 'POST',
          url: '/inject-sidecar',
          payload: podAdmissionReview(pod(`app-${i}`, annotations), { namespace }),
        });
        expect(response.statusCode).toBe(200);
        const { response: answer, ops } = decodeResponse(response.body);
        if (!answer.allowed) {
          results.refused += 1;
          expect(answer.status?.message).toContain('absent');
        }
        else if (ops.length > 0) results.injected += 1;
        else results.skipped += 1;
        if (i % 4 === 0) {
          const sidecar = ops.find((op) => op.path.startsWith('/spec/containers') && (op as { value?: { name?: string } }).value?.name === 'kuma-sidecar');
          expect(JSON.stringify(sidecar ?? ops)).toContain('"privileged":false');
        }
      }
      // The state really was consulted: injections, skips (namespace not enabled), refusals (missing mesh).
      expect(results).toEqual({ injected: ADMISSIONS / 2, skipped: ADMISSIONS / 4, refused: ADMISSIONS / 4 });

      // Watch and relist traffic accounted for explicitly: the periodic relist is off and every
      // watch connection is still the one opened at sync, so no request may appear at all.
      expect(standIn.openWatchCount()).toBe(4);
      expect(standIn.requests.slice(requestsBefore)).toEqual([]);
      expect(state.apiRequests() - countedBefore).toBe(0);
    } finally {
      await app.close();
    }
  });
});
