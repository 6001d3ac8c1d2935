import { describe, expect, it } from 'vitest';
import { appPod, enabledNamespace, mesh, testContext } from '../../../test-support/webhook/engine-fixtures.ts';
import { injectPod } from '../inject-pod.ts';

const refusal = (outcome: ReturnType<typeof injectPod>) => (outcome.result === 'refused' ? outcome : undefined);
const skip = (outcome: ReturnType<typeof injectPod>) => (outcome.result === 'skipped' ? outcome.reason : undefined);

describe('precheck (Kuma 2.13.10 decisions and error texts)', () => {
  it('refuses when the namespace is unknown', () => {
    const pod = appPod();
    pod.metadata!.namespace = 'nowhere';
    expect(refusal(injectPod(pod, testContext()))).toEqual({
      result: 'refused',
      reason: 'namespace_not_found',
      message: 'could not retrieve namespace for pod: namespaces "nowhere" not found',
    });
  });

  it('uses the request namespace when the pod names none', () => {
    const pod = appPod();
    delete pod.metadata!.namespace;
    expect(injectPod(pod, { ...testContext(), namespace: 'demo' }).result).toBe('injected');
    expect(refusal(injectPod(pod, testContext()))?.message).toContain('namespaces "default" not found');
  });

  it('refuses an unknown injection label value on the pod or the namespace, naming it', () => {
    expect(refusal(injectPod(appPod({ labels: { 'kuma.io/sidecar-injection': 'maybe' } }), testContext()))).toEqual({
      result: 'refused',
      reason: 'invalid_label_value',
      message: 'annotation "kuma.io/sidecar-injection" has wrong value "maybe"',
    });
    const ctx = testContext({ objects: [{ ...enabledNamespace(), metadata: { name: 'demo', labels: { 'kuma.io/sidecar-injection': 'on' } } }, mesh()] });
    expect(refusal(injectPod(appPod(), ctx))?.message).toBe('annotation "kuma.io/sidecar-injection" has wrong value "on"');
  });

  it('skips for exception labels, an existing sidecar, a disabling label, and a namespace without the label', () => {
    expect(skip(injectPod(appPod({ labels: { 'openshift.io/build.name': 'b' } }), testContext()))).toBe('exception_label');
    const injected = injectPod(appPod(), testContext());
    if (injected.result !== 'injected') throw new Error('expected injection');
    expect(skip(injectPod(injected.pod, testContext()))).toBe('already_injected');
    expect(skip(injectPod(appPod({ labels: { 'kuma.io/sidecar-injection': 'disabled' } }), testContext()))).toBe('disabled_by_pod');
    const plain = testContext({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, mesh()] });
    expect(skip(injectPod(appPod(), plain))).toBe('not_enabled');
    // the pod label wins over the namespace
    expect(injectPod(appPod({ labels: { 'kuma.io/sidecar-injection': 'true' } }), plain).result).toBe('injected');
  });

  it('resolves the mesh from labels, then the deprecated annotations, and refuses a missing Mesh', () => {
    const ctx = testContext({
      objects: [enabledNamespace('demo', { annotations: { 'kuma.io/mesh': 'ns-mesh' } }), mesh('ns-mesh'), mesh('pod-mesh')],
    });
    const meshOf = (outcome: ReturnType<typeof injectPod>) =>
      outcome.result === 'injected' ? (outcome.pod.metadata as { labels: Record<string, string> }).labels['kuma.io/mesh'] : outcome.message;
    expect(meshOf(injectPod(appPod(), ctx))).toBe('ns-mesh');
    expect(meshOf(injectPod(appPod({ annotations: { 'kuma.io/mesh': 'pod-mesh' } }), ctx))).toBe('pod-mesh');
    expect(meshOf(injectPod(appPod({ labels: { 'kuma.io/mesh': 'absent' }, annotations: { 'kuma.io/mesh': 'pod-mesh' } }), ctx))).toBe(
      'meshes.kuma.io "absent" not found',
    );
  });

  it('never injects a host-network pod (deviation: the rules would land in the node), even with a missing Mesh', () => {
    const pod = appPod();
    pod.spec!.hostNetwork = true;
    const outcome = injectPod(pod, testContext());
    expect(outcome).toMatchObject({ result: 'skipped', reason: 'host_network' });
    expect(skip(injectPod(pod, testContext({ objects: [enabledNamespace()] })))).toBe('host_network');
    pod.spec!.hostNetwork = false;
    expect(injectPod(pod, testContext()).result).toBe('injected');
  });

  it('refuses app containers running as the sidecar UID', () => {
    const pod = appPod({
      spec: {
        containers: [
          { name: 'a', securityContext: { runAsUser: 5678 } },
          { name: 'b', securityContext: { runAsUser: 5678 } },
          { name: 'c', securityContext: { runAsUser: 1000 } },
        ],
      },
    });
    expect(refusal(injectPod(pod, testContext()))).toEqual({
      result: 'refused',
      reason: 'duplicate_uid',
      message: 'containers using same UID as sidecar is unsupported: ["a" "b"]',
    });
  });
});

describe("Kuma 2.13's warnings", () => {
  it('reports deprecated annotations, yes/no values, the mesh annotation and init containers with the sidecar UID', () => {
    const pod = appPod({
      annotations: { 'kuma.io/builtindns': 'enabled', 'kuma.io/init-first': 'yes', 'kuma.io/mesh': 'default' },
      spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'setup', securityContext: { runAsUser: 5678 } }] },
    });
    const outcome = injectPod(pod, testContext());
    expect(outcome.result).toBe('injected');
    expect(outcome.result !== 'refused' && outcome.warnings).toEqual([
      "WARNING: using deprecated pod annotation kuma.io/builtindns: 'kuma.io/builtindns' is no longer supported and it will be ignored, use 'kuma.io/builtin-dns' instead",
      "WARNING: using 'yes' for annotation 'kuma.io/init-first' is deprecated, please use 'true' instead",
      'WARNING: The kuma.io/mesh annotation is no longer supported. Use label instead',
      'WARNING: init container using ignored sidecar UID (container setup, uid 5678)',
    ]);
  });

  it('reports per-pod values the legacy path ignores, and has no warnings field when there are none', () => {
    const outcome = injectPod(
      appPod({ annotations: { 'kuma.io/transparent-proxying': 'disabled', 'kuma.io/transparent-proxying-inbound-port': '1' } }),
      testContext(),
    );
    expect(outcome.result !== 'refused' && outcome.warnings).toEqual([
      '[WARNING]: cannot change the value of annotation kuma.io/transparent-proxying as the transparent proxy must be enabled in Kubernetes',
      '[WARNING]: cannot change the value of annotation kuma.io/transparent-proxying-inbound-port on a per pod basis. The global setting will be used',
    ]);
    expect(injectPod(appPod(), testContext())).not.toHaveProperty('warnings');
  });
});
