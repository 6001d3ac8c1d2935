import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { enabledNamespace, mesh } from '../../test-support/webhook/engine-fixtures.ts';
import { runInjectArgv } from './inject.ts';

const dir = mkdtempSync(join(tmpdir(), `inject-cli-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stateFile = join(dir, 'state.yaml');
const plainNamespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } };
writeFileSync(stateFile, [enabledNamespace('shop'), plainNamespace, mesh()].map((o) => stringify(o)).join('---\n'));

interface Named {
  name: string;
  restartPolicy?: string;
  env?: unknown[];
}
interface PodLike {
  metadata?: { labels?: Record<string, string> };
  spec: { containers?: Named[]; initContainers?: Named[] };
}
interface Workload {
  spec: PodLike['spec'] & { replicas?: number; template: PodLike; jobTemplate: { spec: { template: PodLike } } };
}

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

async function run(documents: unknown[], extra: string[] = []) {
  let stdout = '';
  let stderr = '';
  const exitCode = await runInjectArgv(['-f', '-', '--state', stateFile, ...extra], {
    readStdin: () => Promise.resolve(documents.map((d) => stringify(d)).join('---\n')),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { exitCode, stderr, out: parseAllDocuments(stdout).map((d) => d.toJS() as unknown) as Workload[] };
}

const names = (containers: { name: string }[] | undefined) => (containers ?? []).map((c) => c.name);

describe('kuma-injector inject', () => {
  it('injects pod templates of workload kinds and passes other documents through', async () => {
    const documents = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2, template } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'shop' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
    ];
    const { exitCode, stderr, out } = await run(documents);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(out).toHaveLength(4);
    expect(names(out[0]!.spec.template.spec.containers)).toEqual(['kuma-sidecar', 'web']);
    expect(out[0]!.spec.replicas).toBe(2);
    expect(out[0]!.spec.template.metadata?.labels?.['kuma.io/mesh']).toBe('default');
    expect(names(out[1]!.spec.template.spec.initContainers)).toEqual(['kuma-init']);
    expect(names(out[2]!.spec.jobTemplate.spec.template.spec.containers)).toEqual(['kuma-sidecar', 'web']);
    expect(out[3]).toEqual(documents[3]);
  });

  it('injects the items of a v1 List', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'c' }] } };
    const { out } = await run([{ apiVersion: 'v1', kind: 'List', items: [pod] }]);
    const items = (out[0] as unknown as { items: PodLike[] }).items;
    expect(names(items[0]!.spec.containers)).toEqual(['kuma-sidecar', 'c']);
  });

  it('takes the namespace from --namespace when the object names none, and leaves pods of other namespaces alone', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } };
    const injected = await run([pod], ['--namespace', 'shop']);
    expect(names(injected.out[0]!.spec.containers)).toEqual(['kuma-sidecar', 'c']);
    const untouched = await run([pod], ['--namespace', 'plain']);
    expect(untouched.out[0]).toEqual(pod);
  });

  it('native sidecars and delta xDS from flags', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'c' }] } };
    const { out } = await run([pod], ['--sidecar-containers', 'auto', '--server-version', 'v1.31', '--delta-xds']);
    const sidecar = out[0]!.spec.initContainers?.find((c) => c.name === 'kuma-sidecar');
    expect(sidecar?.restartPolicy).toBe('Always');
    expect(sidecar?.env).toContainEqual({ name: 'KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT', value: 'DELTA_GRPC' });
  });

  it("prints Kuma's warnings about a pod on stderr", async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations: { 'kuma.io/mesh': 'default' } }, spec: { containers: [{ name: 'c' }] } };
    const { exitCode, stderr } = await run([pod]);
    expect(exitCode).toBe(0);
    expect(stderr).toBe('Warning: stdin document 1: Pod p: WARNING: The kuma.io/mesh annotation is no longer supported. Use label instead\n');
  });

  it('fails with the refusal on stderr and nothing on stdout', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', labels: { 'kuma.io/mesh': 'ghost' } }, spec: { containers: [{ name: 'c' }] } };
    const { exitCode, stderr, out } = await run([pod]);
    expect(exitCode).not.toBe(0);
    expect(out).toEqual([]);
    expect(stderr).toContain('Pod p: meshes.kuma.io "ghost" not found');
  });

  it('rejects bad flags and unreadable files', async () => {
    expect((await run([], ['--envoy-admin-port', 'x'])).exitCode).not.toBe(0);
    const missing = await run([], ['--state', join(dir, 'absent.yaml')]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/^Error: state file .*absent\.yaml: .*\(STATE_FILE_UNREADABLE\)\n$/);
  });
});
