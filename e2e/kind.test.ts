// End to end on a real cluster: kind + Kuma 2.13.10's control plane + this
// project's webhook (chart) and kuma-init image. A meshed pod must be injected
// by our webhook, get its rules from our kuma-init, register with kuma-cp and
// talk to another meshed pod through the proxies.
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

const missing = ['kind', 'helm', 'kubectl'].filter((t) => !toolPath(t));
const skipReason = !dockerAvailable() ? 'no Docker engine' : missing.length ? `missing tools: ${missing.join(', ')}` : undefined;
if (skipReason) console.warn(`[skip] kind e2e: ${skipReason}`);

function run(command: string, args: string[], input?: string): string {
  return execFileSync(toolPath(command) ?? command, args, { cwd: repo, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'inherit'] });
}
const kubectl = (...args: string[]) => run('kubectl', ['--context', `kind-${cluster}`, ...args]);
const helm = (...args: string[]) => run('helm', ['--kube-context', `kind-${cluster}`, ...args]);

const demoApps = `
apiVersion: v1
kind: Namespace
metadata:
  name: e2e
  labels: {kuma.io/sidecar-injection: enabled}
---
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
metadata: {name: client, namespace: e2e}
spec:
  containers:
    - name: client
      image: curlimages/curl:8.10.1
      command: [sleep, infinity]
`;

describe.skipIf(skipReason)('kind: Kuma 2.13 control plane with this webhook and kuma-init', () => {
  beforeAll(() => {
    run('kind', ['create', 'cluster', '--name', cluster, '--wait', '120s']);
    run('docker', ['build', '-f', 'webhook/Dockerfile', '-t', images.injector, '.']);
    run('docker', ['build', '-f', 'init/Dockerfile', '-t', images.init, '.']);
    for (const image of Object.values(images)) run('kind', ['load', 'docker-image', image, '--name', cluster]);
    helm('repo', 'add', 'kuma', 'https://kumahq.github.io/charts', '--force-update');
    helm('install', 'kuma', 'kuma/kuma', '--version', kumaVersion, '-n', 'kuma-system', '--create-namespace', '--wait');
    // Take kuma-cp's own injector out of the path so only ours injects.
    kubectl('delete', 'mutatingwebhookconfiguration', 'kuma-admission-mutating-webhook-configuration', '--ignore-not-found');
    helm(
      'install', 'kuma-injector', join(repo, 'charts', 'kuma-injector'), '-n', 'kuma-system', '--wait',
      '--set', `image.repository=${images.injector.split(':')[0]}`, '--set', `image.tag=${images.injector.split(':')[1]}`,
      '--set', `injectorConfig.initContainer.image=${images.init}`,
      '--set', `injectorConfig.sidecarContainer.image=kumahq/kuma-dp:${kumaVersion}`,
    );
    kubectl('apply', '-f', '-', demoApps);
    kubectl('wait', '-n', 'e2e', '--for=condition=Ready', 'pod/server', 'pod/client', '--timeout=300s');
  }, 900_000);

  afterAll(() => {
    if (!skipReason) run('kind', ['delete', 'cluster', '--name', cluster]);
  });

  it('injected kuma-init and kuma-sidecar into both pods', () => {
    for (const pod of ['server', 'client']) {
      const spec = (JSON.parse(kubectl('get', 'pod', pod, '-n', 'e2e', '-o', 'json')) as IPod).spec;
      const names = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['kuma-init', 'kuma-sidecar']));
      const init = spec?.initContainers?.find((c) => c.name === 'kuma-init');
      expect(init?.image).toBe(images.init);
    }
  });

  it('registered both pods as Dataplanes with kuma-cp', () => {
    const { items: dataplanes } = JSON.parse(kubectl('get', 'dataplanes', '-n', 'e2e', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(dataplanes.map((d) => d.metadata.name).sort()).toEqual(['client', 'server']);
  });

  it('carries client → server traffic through the proxies', () => {
    const status = kubectl('exec', '-n', 'e2e', 'client', '-c', 'client', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://server.e2e.svc.cluster.local');
    expect(status).toBe('200');
    // The request went through kuma-dp: Envoy's outbound stats count it (admin
    // listens on the pod's loopback, reachable from the app container).
    const stats = kubectl('exec', '-n', 'e2e', 'client', '-c', 'client', '--', 'curl', '-s', 'http://127.0.0.1:9901/stats?filter=upstream_rq_completed');
    expect(stats).toMatch(/server[^\n]*upstream_rq_completed: [1-9]/);
  });
});
