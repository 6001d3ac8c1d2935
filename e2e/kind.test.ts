// End to end on a real cluster: kind + Kuma 2.13.10's control plane + this
// project's webhook (chart) and kuma-init image. A meshed pod must be injected
// by our webhook, get its rules from our kuma-init, register with kuma-cp and
// talk to another meshed pod through the proxies; with mTLS on, a
// MeshTrafficPermission must let the client through and stop everyone else.
//
// kuma-cp keeps its whole MutatingWebhookConfiguration (defaulting,
// owner-reference and its injector): ours is called first by name order and
// kuma-cp's injector skips the injected pod (docs/install.md, "Coexistence
// with kuma-cp"), also after a `helm upgrade` of Kuma.
//
// Needs Docker, kind, helm and kubectl and network access to pull images and
// Kuma's chart; without Docker it skips (here and in CI, which has no engine).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IPod } from 'kubernetes-models/v1/Pod';
import { dockerAvailable, toolPath } from '../test-support/environment.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cluster = `kuma-e2e-${process.pid}`;
const kumaVersion = '2.13.10';
const images = { injector: 'kuma-injector:e2e', init: 'kuma-init:e2e' };
const kumaWebhookConfiguration = 'kuma-admission-mutating-webhook-configuration';

const missing = ['kind', 'helm', 'kubectl'].filter((t) => !toolPath(t));
const skipReason = !dockerAvailable() ? 'no Docker engine' : missing.length ? `missing tools: ${missing.join(', ')}` : undefined;
if (skipReason) console.warn(`[skip] kind e2e: ${skipReason}`);

function run(command: string, args: string[], input?: string): string {
  return execFileSync(toolPath(command) ?? command, args, { cwd: repo, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'inherit'] });
}
const kubectl = (...args: string[]) => run('kubectl', ['--context', `kind-${cluster}`, ...args]);
const helm = (...args: string[]) => run('helm', ['--kube-context', `kind-${cluster}`, ...args]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` (which throws until it holds) for up to `seconds`. */
async function eventually<T>(what: string, seconds: number, check: () => T): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: not after ${seconds} s: ${(error as Error).message}`);
      await sleep(2000);
    }
  }
}

/**
 * The init containers a pod created now in `namespace` would get, from a
 * server-side dry run: admission webhooks run, nothing is stored.
 */
function dryRunInitImages(namespace: string): string[] {
  const probe = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'injection-probe', namespace }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
  const pod = JSON.parse(kubectl('create', '--dry-run=server', '-o', 'json', '-f', '-', probe)) as IPod;
  return (pod.spec?.initContainers ?? []).map((c) => c.image ?? '');
}

/** Until our injector injects into `namespace`: its watch cache has the namespace, and it is called before kuma-cp's. */
function waitForOurInjection(namespace: string): Promise<string[]> {
  return eventually(`our kuma-init injected into a dry-run pod in ${namespace}`, 120, () => {
    const initImages = dryRunInitImages(namespace);
    if (!initImages.includes(images.init)) throw new Error(`init containers: ${initImages.join(', ') || 'none'}`);
    return initImages;
  });
}

function kumaWebhookNames(): string[] {
  const configuration = JSON.parse(kubectl('get', 'mutatingwebhookconfiguration', kumaWebhookConfiguration, '-o', 'json')) as { webhooks: { name: string }[] };
  return configuration.webhooks.map((w) => w.name);
}

/** HTTP status of `from`'s request to the server Service (000 when the connection fails). */
function statusFrom(from: string): string {
  try {
    return kubectl('exec', '-n', 'e2e', from, '-c', from, '--', 'curl', '-s', '-o', '/dev/null', '-m', '5', '-w', '%{http_code}', 'http://server.e2e.svc.cluster.local');
  } catch {
    return '000';
  }
}

async function expectStatusFrom(from: string, status: string): Promise<void> {
  await eventually(`${from} → server answered ${status}`, 120, () => {
    const got = statusFrom(from);
    if (got !== status) throw new Error(`got ${got}`);
  });
}

const demoNamespace = `
apiVersion: v1
kind: Namespace
metadata:
  name: e2e
  labels: {kuma.io/sidecar-injection: enabled}
`;

// client and other get Services so that each has a mesh identity (kuma.io/service) of its own.
const demoApps = `
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: e2e, labels: {app: server}}
spec:
  containers:
    - name: server
      image: nginx:1.27-alpine
      ports: [{containerPort: 80, name: http}]
      readinessProbe: {httpGet: {path: /, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: e2e}
spec:
  selector: {app: server}
  ports: [{port: 80, targetPort: http, appProtocol: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: e2e, labels: {app: client}}
spec:
  containers:
    - name: client
      image: curlimages/curl:8.10.1
      command: [sleep, infinity]
      ports: [{containerPort: 8080, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: client, namespace: e2e}
spec:
  selector: {app: client}
  ports: [{port: 80, targetPort: http, appProtocol: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: e2e, labels: {app: other}}
spec:
  containers:
    - name: other
      image: curlimages/curl:8.10.1
      command: [sleep, infinity]
      ports: [{containerPort: 8080, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: e2e}
spec:
  selector: {app: other}
  ports: [{port: 80, targetPort: http, appProtocol: http}]
`;

const mtlsOnDefaultMesh = `
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata: {name: default}
spec:
  mtls:
    enabledBackend: ca-1
    backends: [{name: ca-1, type: builtin}]
`;

// client → server allowed, everyone else denied (the more specific MeshSubset wins over Mesh).
const clientToServerOnly = `
apiVersion: kuma.io/v1alpha1
kind: MeshTrafficPermission
metadata:
  name: client-to-server
  namespace: kuma-system
  labels: {kuma.io/mesh: default}
spec:
  targetRef: {kind: MeshService, name: server_e2e_svc_80}
  from:
    - targetRef: {kind: Mesh}
      default: {action: Deny}
    - targetRef:
        kind: MeshSubset
        tags: {kuma.io/service: client_e2e_svc_80}
      default: {action: Allow}
`;

describe.skipIf(skipReason)('kind: Kuma 2.13 control plane with this webhook and kuma-init', () => {
  beforeAll(async () => {
    run('kind', ['create', 'cluster', '--name', cluster, '--wait', '120s']);
    run('docker', ['build', '-f', 'webhook/Dockerfile', '-t', images.injector, '.']);
    run('docker', ['build', '-f', 'init/Dockerfile', '-t', images.init, '.']);
    for (const image of Object.values(images)) run('kind', ['load', 'docker-image', image, '--name', cluster]);
    helm('repo', 'add', 'kuma', 'https://kumahq.github.io/charts', '--force-update');
    helm('install', 'kuma', 'kuma/kuma', '--version', kumaVersion, '-n', 'kuma-system', '--create-namespace', '--wait');
    // kuma-cp's MutatingWebhookConfiguration stays whole: the chart's sorts before it.
    helm(
      'install', 'kuma-injector', join(repo, 'charts', 'kuma-injector'), '-n', 'kuma-system', '--wait',
      '--set', `image.repository=${images.injector.split(':')[0]}`, '--set', `image.tag=${images.injector.split(':')[1]}`,
      '--set', `initImage.repository=${images.init.split(':')[0]}`, '--set', `initImage.tag=${images.init.split(':')[1]}`,
    );
    kubectl('apply', '-f', '-', demoNamespace);
    // Pods created before the injector's cache has the namespace would be left to kuma-cp's injector.
    await waitForOurInjection('e2e');
    kubectl('apply', '-f', '-', demoApps);
    kubectl('wait', '-n', 'e2e', '--for=condition=Ready', 'pod/server', 'pod/client', 'pod/other', '--timeout=300s');
  }, 900_000);

  afterAll(() => {
    if (!skipReason) run('kind', ['delete', 'cluster', '--name', cluster]);
  });

  it('injected kuma-init and kuma-sidecar into the pods, with our images', () => {
    for (const pod of ['server', 'client', 'other']) {
      const spec = (JSON.parse(kubectl('get', 'pod', pod, '-n', 'e2e', '-o', 'json')) as IPod).spec;
      const names = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['kuma-init', 'kuma-sidecar']));
      const init = spec?.initContainers?.find((c) => c.name === 'kuma-init');
      expect(init?.image).toBe(images.init);
      expect(spec?.containers?.find((c) => c.name === 'kuma-sidecar')?.image).toBe(`kumahq/kuma-dp:${kumaVersion}`);
    }
  });

  it("left kuma-cp's defaulting and owner-reference webhooks in place", () => {
    expect(kumaWebhookNames()).toEqual(expect.arrayContaining(['mesh.defaulter.kuma-admission.kuma.io', 'owner-reference.kuma-admission.kuma.io', 'namespace-kuma-injector.kuma.io', 'pods-kuma-injector.kuma.io']));
  });

  it('registered the three pods as Dataplanes with kuma-cp', () => {
    const { items: dataplanes } = JSON.parse(kubectl('get', 'dataplanes', '-n', 'e2e', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(dataplanes.map((d) => d.metadata.name).sort()).toEqual(['client', 'other', 'server']);
  });

  it('carries client → server traffic through the proxies', () => {
    const status = kubectl('exec', '-n', 'e2e', 'client', '-c', 'client', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://server.e2e.svc.cluster.local');
    expect(status).toBe('200');
    // The request went through kuma-dp: Envoy's outbound stats count it (admin
    // listens on the pod's loopback, reachable from the app container).
    const stats = kubectl('exec', '-n', 'e2e', 'client', '-c', 'client', '--', 'curl', '-s', 'http://127.0.0.1:9901/stats?filter=upstream_rq_completed');
    expect(stats).toMatch(/server[^\n]*upstream_rq_completed: [1-9]/);
  });

  it('with mTLS on the default mesh, lets client reach server and denies the rest (MeshTrafficPermission)', async () => {
    kubectl('apply', '-f', '-', mtlsOnDefaultMesh);
    // Kuma 2.13 creates no allow-all permission (defaults.createMeshRoutingResources is false): with mTLS on, all is denied.
    await expectStatusFrom('client', '403');
    await expectStatusFrom('other', '403');
    kubectl('apply', '-f', '-', clientToServerOnly);
    await expectStatusFrom('other', '403');
    await expectStatusFrom('client', '200');
  }, 600_000);

  it("still injects with ours after `helm upgrade` of Kuma, which re-renders kuma-cp's configuration", async () => {
    helm('upgrade', 'kuma', 'kuma/kuma', '--version', kumaVersion, '-n', 'kuma-system', '--reuse-values', '--wait');
    expect(kumaWebhookNames()).toEqual(expect.arrayContaining(['mesh.defaulter.kuma-admission.kuma.io', 'pods-kuma-injector.kuma.io']));
    expect(await waitForOurInjection('e2e')).toContain(images.init);
  }, 600_000);
});
