// The informer-backed ClusterState against a STAND-IN Kubernetes API server on
// loopback (the real API server cannot run here): sync and readiness, events
// reaching the caches, watches that break, expire or fail, Kuma's CRDs absent,
// the periodic relist, and the request count; and stop() against a stalled
// API server (a tiny STAND-IN here, TLS with a throwaway CA as well: it lists,
// but never answers a watch).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startInformerState, type InformerClusterState, type InformerStateOptions } from '../state/informer-state.ts';
import type { StateEvent } from '../state/state-events.ts';
import { generateSelfSigned } from '../tls/self-signed.ts';
import { StandInApiServer } from '../../test-support/webhook/stand-in-api-server.ts';

const SYSTEM = 'kuma-system';
const TPROXY = 'kuma-transparent-proxy-config';
const WAIT = { timeout: 10_000, interval: 5 };

function seed(standIn: StandInApiServer): void {
  standIn.put({ kind: 'Namespace', metadata: { name: 'default', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
  standIn.put({ kind: 'Namespace', metadata: { name: SYSTEM } });
  standIn.put({ kind: 'Mesh', metadata: { name: 'default' }, spec: { mtls: { enabledBackend: 'ca-1' } } });
  standIn.put({
    kind: 'ContainerPatch',
    metadata: { name: 'container-patch-1', namespace: SYSTEM },
    spec: { sidecarPatch: [{ op: 'add', path: '/securityContext/privileged', value: 'false' }] },
  });
  standIn.put({ kind: 'ContainerPatch', metadata: { name: 'outside', namespace: 'default' }, spec: {} });
  standIn.put({ kind: 'ConfigMap', metadata: { name: TPROXY, namespace: SYSTEM }, data: { 'config.yaml': 'kumaDPUser: "5678"\n' } });
  standIn.put({ kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: SYSTEM }, data: { key: 'value' } });
}

describe('informer-backed ClusterState against a stand-in API server', () => {
  let standIn: StandInApiServer;
  let state: InformerClusterState | undefined;
  let events: StateEvent[];
  let warnings: string[];

  beforeEach(async () => {
    standIn = await StandInApiServer.start();
    seed(standIn);
    events = [];
    warnings = [];
  });

  afterEach(async () => {
    await state?.stop();
    state = undefined;
    await standIn.close();
  });

  function start(overrides: Partial<InformerStateOptions> = {}): InformerClusterState {
    const started = startInformerState({
      kubeConfig: standIn.kubeConfig(),
      systemNamespace: SYSTEM,
      transparentProxyConfigMap: TPROXY,
      backoff: { initialMs: 10, maxMs: 80 },
      relistIntervalMs: 0,
      logger: { info: () => {}, warn: (_fields, message) => warnings.push(message) },
      ...overrides,
    });
    started.onEvent((event) => events.push(event));
    state = started;
    return started;
  }

  const ofType = <T extends StateEvent['type']>(type: T) =>
    events.filter((e): e is Extract<StateEvent, { type: T }> => e.type === type);
  const requestsFor = (resource: string, verb: 'list' | 'watch') =>
    standIn.requests.filter((r) => r.resource === resource && r.verb === verb);

  it('is not ready before the initial lists, then ready with every resource cached', async () => {
    const s = start();
    expect(s.ready()).toBe(false);
    await s.whenReady();
    expect(s.ready()).toBe(true);
    expect(ofType('synced').map((e) => e.resource).sort()).toEqual(['configmaps', 'containerpatches', 'meshes', 'namespaces']);
    expect(s.namespace('default')?.metadata.labels).toEqual({ 'kuma.io/sidecar-injection': 'enabled' });
    expect(s.mesh('default')?.spec).toEqual({ mtls: { enabledBackend: 'ca-1' } });
    expect(s.containerPatch(SYSTEM, 'container-patch-1')?.spec).toEqual({
      sidecarPatch: [{ op: 'add', path: '/securityContext/privileged', value: 'false' }],
    });
    expect(s.configMap(SYSTEM, TPROXY)?.data).toEqual({ 'config.yaml': 'kumaDPUser: "5678"\n' });
    expect(s.mesh('absent')).toBeUndefined();
  });

  it('caches only what the injector reads, as plain JSON (no Dates, no server-set fields)', async () => {
    const s = start();
    await s.whenReady();
    const namespace = s.namespace('default');
    const { resourceVersion, ...metadata } = namespace!.metadata as { resourceVersion?: unknown };
    expect(typeof resourceVersion).toBe('string');
    expect({ ...namespace, metadata }).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { 'kuma.io/sidecar-injection': 'enabled' } },
    });
    expect(JSON.parse(JSON.stringify(namespace))).toEqual(namespace);
    // An object that arrived by watch event has the same shape as a listed one.
    standIn.put({ kind: 'Namespace', metadata: { name: 'late', annotations: { a: 'b' } } });
    await vi.waitFor(() => expect(s.namespace('late')).toBeDefined(), WAIT);
    expect(Object.keys(s.namespace('late')!.metadata).sort()).toEqual(['annotations', 'name', 'resourceVersion']);
  });

  it('watches only the system namespace and the named transparent-proxy ConfigMap', async () => {
    const s = start();
    await s.whenReady();
    expect(s.configMap(SYSTEM, 'unrelated')).toBeUndefined();
    expect(s.containerPatch('default', 'outside')).toBeUndefined();
    for (const request of [...requestsFor('configmaps', 'list'), ...requestsFor('configmaps', 'watch')]) {
      expect(request.path).toBe(`/api/v1/namespaces/${SYSTEM}/configmaps`);
      expect(request.query.fieldSelector).toBe(`metadata.name=${TPROXY}`);
    }
    expect(requestsFor('containerpatches', 'list')[0]?.path).toBe(`/apis/kuma.io/v1alpha1/namespaces/${SYSTEM}/containerpatches`);
  });

  it('does not watch ConfigMaps when no transparent-proxy ConfigMap is configured (the 2.13 legacy path)', async () => {
    const s = start({ transparentProxyConfigMap: '' });
    await s.whenReady();
    expect(s.configMap(SYSTEM, TPROXY)).toBeUndefined();
    expect(standIn.requests.filter((r) => r.resource === 'configmaps')).toEqual([]);
  });

  it('counts every API request it makes, as the stand-in does', async () => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    expect(s.apiRequests()).toBe(8);
    expect(standIn.requestCount()).toBe(8);
    // Each watch asks for a server-side timeout and for bookmarks (fewer 410s after quiet periods).
    for (const request of standIn.requests.filter((r) => r.verb === 'watch')) {
      expect(request.query).toMatchObject({ timeoutSeconds: '300', allowWatchBookmarks: 'true' });
    }
  });

  it('applies add, update and delete events to the caches', async () => {
    const s = start();
    await s.whenReady();
    standIn.put({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
    standIn.put({ kind: 'Mesh', metadata: { name: 'default' }, spec: { mtls: { enabledBackend: 'ca-2' } } });
    standIn.remove('ContainerPatch', 'container-patch-1', SYSTEM);
    standIn.put({ kind: 'ConfigMap', metadata: { name: TPROXY, namespace: SYSTEM }, data: { 'config.yaml': 'ipFamilyMode: ipv4\n' } });
    await vi.waitFor(() => {
      expect(s.namespace('shop')?.metadata.labels).toEqual({ 'kuma.io/sidecar-injection': 'enabled' });
      expect(s.mesh('default')?.spec).toEqual({ mtls: { enabledBackend: 'ca-2' } });
      expect(s.containerPatch(SYSTEM, 'container-patch-1')).toBeUndefined();
      expect(s.configMap(SYSTEM, TPROXY)?.data).toEqual({ 'config.yaml': 'ipFamilyMode: ipv4\n' });
    }, WAIT);
  });

  it('resumes a broken watch at its last resourceVersion and sees what changed meanwhile', async () => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount('meshes')).toBe(1), WAIT);
    // Nothing changed since the list: the informer's last resourceVersion is the list's.
    const lastSeen = standIn.currentResourceVersion();
    standIn.breakWatches((plural) => plural === 'meshes');
    // Changed while no watch is open: only a resumed watch (or a relist) can deliver it.
    standIn.put({ kind: 'Mesh', metadata: { name: 'default' }, spec: { changed: 'while broken' } });
    standIn.put({ kind: 'Mesh', metadata: { name: 'second' } });
    await vi.waitFor(() => {
      expect(s.mesh('default')?.spec).toEqual({ changed: 'while broken' });
      expect(s.mesh('second')).toBeDefined();
    }, WAIT);
    const watches = requestsFor('meshes', 'watch');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches.at(-1)?.query.resourceVersion).toBe(lastSeen);
    expect(requestsFor('meshes', 'list')).toHaveLength(1);
    expect(s.ready()).toBe(true);
  });

  it('re-opens a watch the API server ended (its timeout) without relisting', async () => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    standIn.endWatches();
    standIn.put({ kind: 'Namespace', metadata: { name: 'after-timeout' } });
    await vi.waitFor(() => expect(s.namespace('after-timeout')).toBeDefined(), WAIT);
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    expect(standIn.requests.filter((r) => r.verb === 'list')).toHaveLength(4);
    expect(s.apiRequests()).toBe(standIn.requestCount());
  });

  it.each(['event', 'status'] as const)('relists when the watch resourceVersion has expired (410 Gone as %s)', async (answer) => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    standIn.expireHistory(answer);
    standIn.breakWatches();
    standIn.remove('ContainerPatch', 'container-patch-1', SYSTEM);
    standIn.put({ kind: 'Mesh', metadata: { name: 'after-compaction' } });
    await vi.waitFor(() => {
      expect(s.containerPatch(SYSTEM, 'container-patch-1')).toBeUndefined();
      expect(s.mesh('after-compaction')).toBeDefined();
    }, WAIT);
    await vi.waitFor(() => {
      const gone = ofType('relisted').filter((e) => e.reason === 'gone');
      expect(gone.map((e) => e.resource).sort()).toEqual(['configmaps', 'containerpatches', 'meshes', 'namespaces']);
    }, WAIT);
    expect(requestsFor('meshes', 'list')).toHaveLength(2);
  });

  it('restarts with backoff after API errors and recovers', async () => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount('meshes')).toBe(1), WAIT);
    standIn.failNext('meshes', 500, { times: 3, verb: 'watch' });
    standIn.breakWatches((plural) => plural === 'meshes');
    standIn.put({ kind: 'Mesh', metadata: { name: 'after-errors' } });
    await vi.waitFor(() => expect(s.mesh('after-errors')).toBeDefined(), WAIT);
    const errors = ofType('watch-error').filter((e) => e.resource === 'meshes' && e.status === 500);
    // Consecutive failures of one outage (the broken connection itself may count as the first).
    const first = errors[0]!.attempt;
    expect(errors.map((e) => e.attempt)).toEqual([first, first + 1, first + 2]);
    const delays = errors.map((e) => e.retryInMs);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);
    expect(errors[0]?.message).toContain('500');
  });

  it('retries a failed initial list and becomes ready afterwards', async () => {
    standIn.failNext('namespaces', 503, { times: 2, verb: 'list' });
    const s = start();
    await vi.waitFor(() => expect(ofType('watch-error').filter((e) => e.resource === 'namespaces')).toHaveLength(2), WAIT);
    await s.whenReady();
    expect(s.namespace('default')).toBeDefined();
    expect(requestsFor('namespaces', 'list')).toHaveLength(3);
  });

  it('stays not ready while Kuma CRDs are missing, says so, and becomes ready once they are served', async () => {
    standIn.setKumaCrdsInstalled(false);
    const s = start();
    await vi.waitFor(() => {
      const missing = ofType('watch-error').filter((e) => e.resource === 'meshes' && e.missing);
      expect(missing.length).toBeGreaterThanOrEqual(3);
    }, WAIT);
    expect(s.ready()).toBe(false);
    expect(ofType('synced').map((e) => e.resource)).toContain('namespaces');
    expect(s.namespace('default')).toBeDefined();
    expect(warnings.some((w) => w.includes("Kuma's CRDs") && w.includes('/apis/kuma.io/v1alpha1/meshes'))).toBe(true);
    standIn.setKumaCrdsInstalled(true);
    await s.whenReady();
    expect(s.mesh('default')).toBeDefined();
    expect(s.containerPatch(SYSTEM, 'container-patch-1')).toBeDefined();
  });

  it('stays ready on the last known objects when the CRDs go away after the sync, and keeps retrying', async () => {
    const s = start();
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    standIn.setKumaCrdsInstalled(false);
    await vi.waitFor(() => {
      const missing = ofType('watch-error').filter((e) => e.resource === 'meshes' && e.missing);
      expect(missing.length).toBeGreaterThanOrEqual(2);
    }, WAIT);
    expect(s.ready()).toBe(true);
    expect(s.mesh('default')).toBeDefined();
    standIn.setKumaCrdsInstalled(true);
    standIn.put({ kind: 'Mesh', metadata: { name: 'back' } });
    await vi.waitFor(() => expect(s.mesh('back')).toBeDefined(), WAIT);
  });

  it('relists periodically, which repairs an event the watch never delivered', async () => {
    const s = start({ relistIntervalMs: 100 });
    await s.whenReady();
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(4), WAIT);
    standIn.put({ kind: 'Mesh', metadata: { name: 'lost-event' } }, { silently: true });
    await vi.waitFor(() => expect(s.mesh('lost-event')).toBeDefined(), WAIT);
    expect(ofType('relisted').some((e) => e.resource === 'meshes' && e.reason === 'periodic')).toBe(true);
  });

  it('loads the client configuration from a kubeconfig file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-kubeconfig-'));
    try {
      const path = join(dir, 'kubeconfig');
      writeFileSync(path, standIn.kubeconfigYaml());
      const s = start({ kubeConfig: undefined, kubeconfigPath: path });
      await s.whenReady();
      expect(s.mesh('default')).toBeDefined();
      expect(standIn.requests.every((r) => r.path.startsWith('/api'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes its watches on stop and makes no request afterwards', async () => {
    const s = start({ relistIntervalMs: 20 });
    await s.whenReady();
    await s.stop();
    state = undefined;
    await vi.waitFor(() => expect(standIn.openWatchCount()).toBe(0), WAIT);
    const after = standIn.requestCount();
    standIn.endWatches();
    standIn.put({ kind: 'Mesh', metadata: { name: 'after-stop' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(standIn.requestCount()).toBe(after);
    expect(s.mesh('after-stop')).toBeUndefined();
  });
});

describe('informer-backed ClusterState against a stalled API server', () => {
  it('stop() ends watches still waiting for their response headers', async () => {
    // Lists are answered; watches get no headers, as behind a proxy that buffers them or a stalled server.
    const pendingWatches = new Set<IncomingMessage>();
    const { caCert, serving } = await generateSelfSigned();
    const stalled = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      if (!req.url?.includes('watch=true')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
        return;
      }
      pendingWatches.add(req);
      res.on('close', () => pendingWatches.delete(req));
    });
    await new Promise<void>((done) => stalled.listen(0, '127.0.0.1', done));
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'stalled', server: `https://127.0.0.1:${(stalled.address() as AddressInfo).port}`, caData: Buffer.from(caCert).toString('base64') }],
        users: [{ name: 'stalled' }],
        contexts: [{ name: 'stalled', cluster: 'stalled', user: 'stalled' }],
        currentContext: 'stalled',
      });
      const state = startInformerState({ kubeConfig, systemNamespace: SYSTEM, transparentProxyConfigMap: TPROXY, logger: { info: () => {}, warn: () => {} } });
      await state.whenReady(); // every list answered, so every watch is now waiting
      await vi.waitFor(() => expect(pendingWatches.size).toBe(4), WAIT);
      await state.stop();
      await vi.waitFor(() => expect(pendingWatches.size).toBe(0), WAIT);
    } finally {
      stalled.closeAllConnections();
      await new Promise((done) => stalled.close(done));
    }
  });
});
