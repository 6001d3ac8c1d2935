// `--state` files: multi-document YAML (1.1, as Kubernetes reads it) of
// Namespaces, Meshes, ContainerPatches and ConfigMaps, Lists unpacked, and
// clear errors naming the file and the document on bad input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { loadStateFiles, StateFileError, type StateFileErrorCode } from '../state/file-state.ts';

const dir = mkdtempSync(join(tmpdir(), `state-files-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNumber = 0;
function stateFile(text: string): string {
  const path = join(dir, `state-${++fileNumber}.yaml`);
  writeFileSync(path, text);
  return path;
}

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    kuma.io/sidecar-injection: enabled
  creationTimestamp: 2024-01-02T03:04:05Z
---
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata:
  name: default
spec:
  mtls:
    enabledBackend: ca-1
---
apiVersion: kuma.io/v1alpha1
kind: ContainerPatch
metadata:
  name: container-patch-1
  namespace: kuma-system
spec:
  initPatch:
  - op: remove
    path: /securityContext/runAsUser
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kuma-transparent-proxy-config
  namespace: kuma-system
data:
  config.yaml: |
    kumaDPUser: "5678"
---
`;

function errorOf(paths: string[]): StateFileError {
  try {
    loadStateFiles(paths);
  } catch (error) {
    expect(error).toBeInstanceOf(StateFileError);
    return error as StateFileError;
  }
  throw new Error('expected loadStateFiles to fail');
}

describe('loadStateFiles', () => {
  it('reads every supported kind from a multi-document file', () => {
    const state = loadStateFiles([stateFile(CLUSTER)]);
    expect(state.ready()).toBe(true);
    expect(state.namespace('default')?.metadata.labels).toEqual({ 'kuma.io/sidecar-injection': 'enabled' });
    expect(state.mesh('default')?.spec).toEqual({ mtls: { enabledBackend: 'ca-1' } });
    expect(state.containerPatch('kuma-system', 'container-patch-1')?.spec).toEqual({
      initPatch: [{ op: 'remove', path: '/securityContext/runAsUser' }],
    });
    expect(state.configMap('kuma-system', 'kuma-transparent-proxy-config')?.data).toEqual({ 'config.yaml': 'kumaDPUser: "5678"\n' });
    expect(state.containerPatch('default', 'container-patch-1')).toBeUndefined();
  });

  it('keeps only what the injector reads, as plain JSON (YAML 1.1 timestamps do not become Dates)', () => {
    const state = loadStateFiles([stateFile(CLUSTER)]);
    const namespace = state.namespace('default');
    expect(namespace).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { 'kuma.io/sidecar-injection': 'enabled' } },
    });
    const mesh = loadStateFiles([stateFile('apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec: {since: 2024-01-02}\n')]).mesh('m');
    expect(JSON.parse(JSON.stringify(mesh))).toEqual(mesh);
  });

  it('unpacks Lists, typed Lists whose items omit kind, and skips empty documents', () => {
    const path = stateFile(`---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: one}
- apiVersion: kuma.io/v1alpha1
  kind: Mesh
  metadata: {name: first}
---
---
apiVersion: kuma.io/v1alpha1
kind: MeshList
items:
- metadata: {name: second}
`);
    const state = loadStateFiles([path]);
    expect(state.namespace('one')).toBeDefined();
    expect(state.mesh('first')?.kind).toBe('Mesh');
    expect(state.mesh('second')).toMatchObject({ apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh' });
  });

  it('lets a later file override an earlier one, and puts namespaced objects without a namespace in default', () => {
    const base = stateFile(CLUSTER);
    const override = stateFile(`
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {kuma.io/sidecar-injection: disabled}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: loose}
data: {a: b}
`);
    const state = loadStateFiles([base, override]);
    expect(state.namespace('default')?.metadata.labels).toEqual({ 'kuma.io/sidecar-injection': 'disabled' });
    expect(state.configMap('default', 'loose')?.data).toEqual({ a: 'b' });
  });

  it('drops the namespace of a cluster-scoped object, as the API server does', () => {
    const state = loadStateFiles([stateFile('apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: m, namespace: x}\n')]);
    expect(state.mesh('m')?.metadata).toEqual({ name: 'm' });
  });

  it.skipIf(missingConformance('injector'))("loads the cluster state of Kuma's injector test (cases.yaml defaults)", () => {
    const cases = parse(readFileSync(join(conformanceDir(), 'injector', 'cases.yaml'), 'utf8'), { version: '1.1' }) as {
      defaults: { clusterState: unknown[] };
    };
    const objects = cases.defaults.clusterState;
    const state = loadStateFiles([stateFile(objects.map((o) => stringify(o, { version: '1.1' })).join('---\n'))]);
    expect(state.namespace('kuma-system')).toBeDefined();
    const patch = state.containerPatch('kuma-system', 'container-patch-1');
    expect(patch?.spec).toEqual((objects[1] as { spec: unknown }).spec);
  });

  describe('bad input: the error names the file, the document and the problem', () => {
    const cases: Array<[string, string, StateFileErrorCode, RegExp]> = [
      ['a YAML syntax error', `${CLUSTER}\nkind: [unclosed\n`, 'STATE_YAML_INVALID', /document 5: /],
      ['a kind that is not cluster state', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n', 'STATE_KIND_UNSUPPORTED', /document 1: kind Deployment is not cluster state/],
      ['a wrong apiVersion', 'apiVersion: v1\nkind: Mesh\nmetadata: {name: m}\n', 'STATE_KIND_UNSUPPORTED', /Mesh must have apiVersion kuma\.io\/v1alpha1, got "v1"/],
      ['no kind', 'apiVersion: v1\nmetadata: {name: x}\n', 'STATE_OBJECT_INVALID', /document 1: kind is missing/],
      ['no name', 'apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n', 'STATE_OBJECT_INVALID', /Namespace has no metadata\.name/],
      ['a scalar document', 'just text\n', 'STATE_OBJECT_INVALID', /expected a Kubernetes object/],
      ['a List without items', 'apiVersion: v1\nkind: List\n', 'STATE_OBJECT_INVALID', /List has no items list/],
      ['a bad List item', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n', 'STATE_KIND_UNSUPPORTED', /document 1, items\[1\]: kind Secret/],
      ['a YAML 1.1 boolean as a name', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n', 'STATE_OBJECT_INVALID', /Namespace: metadata\.name must be a string, got boolean \(quote the value\)/],
      ['a YAML 1.1 boolean as an annotation', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n  annotations:\n    kuma.io/gateway: yes\n', 'STATE_OBJECT_INVALID', /Namespace demo: metadata\.annotations\.kuma\.io\/gateway must be a string, got boolean/],
      ['a number in ConfigMap data', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {port: 8080}\n', 'STATE_OBJECT_INVALID', /ConfigMap c: data\.port must be a string, got number/],
    ];
    it.each(cases)('%s', (_what, text, code, message) => {
      const path = stateFile(text);
      const error = errorOf([path]);
      expect(error.code).toBe(code);
      expect(error.file).toBe(path);
      expect(error.message).toContain(`state file ${path}, `);
      expect(error.message).toMatch(message);
    });

    it('a file that cannot be read', () => {
      const path = join(dir, 'absent.yaml');
      const error = errorOf([stateFile(CLUSTER), path]);
      expect(error.code).toBe('STATE_FILE_UNREADABLE');
      expect(error.message).toMatch(new RegExp(`^state file ${path}: ENOENT`));
    });
  });
});
