import jsonpatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { appPod, enabledNamespace, mesh, testContext } from '../../test-support/webhook/engine-fixtures.ts';
import type { InjectionContext } from './context.ts';
import { injectPod } from './inject-pod.ts';
import type { Container, Pod } from './pod/index.ts';

/** Injects, checks the patch invariant and that the input is untouched, returns the pod. */
function inject(pod: Pod, ctx: InjectionContext): Pod {
  const before = structuredClone(pod);
  const outcome = injectPod(pod, ctx);
  if (outcome.result !== 'injected') throw new Error(`${outcome.result}: ${outcome.message}`);
  expect(pod).toEqual(before);
  expect(jsonpatch.applyPatch(structuredClone(pod), structuredClone(outcome.patch), true, false).newDocument).toEqual(outcome.pod);
  return outcome.pod;
}

const refused = (pod: Pod, ctx: InjectionContext): string => {
  const outcome = injectPod(pod, ctx);
  return outcome.result === 'refused' ? outcome.message : `not refused: ${outcome.result}`;
};

const named = (list: Container[] | undefined, name: string): Container => list!.find((c) => c.name === name)!;
const env = (container: Container): Record<string, string | undefined> =>
  Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));

describe('injectPod with kuma-cp 2.13 defaults (legacy annotation path)', () => {
  const ctx = testContext();
  const pod = inject(appPod(), ctx);
  const sidecar = pod.spec!.containers![0]!;

  it('puts kuma-sidecar first and appends kuma-init with production flags', () => {
    expect(pod.spec!.containers!.map((c) => c.name)).toEqual(['kuma-sidecar', 'web']);
    const init = named(pod.spec!.initContainers, 'kuma-init');
    expect(init.args).toEqual(['--exclude-inbound-ports=9001', '--redirect-all-dns-traffic', '--verbose']);
    expect(sidecar.args).toEqual(['run', '--log-level=info', '--concurrency=2']);
    expect(sidecar.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '50M' },
      limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '1G' },
    });
  });

  it('writes the legacy annotations and the mesh label', () => {
    expect(pod.metadata!.annotations).toMatchObject({
      'kubectl.kubernetes.io/default-container': 'web',
      'kuma.io/sidecar-injected': 'true',
      'kuma.io/transparent-proxying': 'enabled',
      'kuma.io/builtin-dns': 'enabled',
      'kuma.io/builtin-dns-port': '15053',
      'kuma.io/builtin-dns-logging': 'false',
      'kuma.io/application-probe-proxy-port': '9001',
      'kuma.io/virtual-probes': 'disabled',
      'kuma.io/envoy-admin-port': '9901',
    });
    expect(pod.metadata!.annotations!['traffic.kuma.io/transparent-proxy-config']).toBeUndefined();
    expect(pod.metadata!.labels).toEqual({ app: 'web', 'kuma.io/mesh': 'default' });
  });

  it('sets the production sidecar environment', () => {
    expect(env(sidecar)).toMatchObject({
      KUMA_APPLICATION_PROBE_PROXY_PORT: '9001',
      KUMA_CONTROL_PLANE_CA_CERT: 'CA',
      KUMA_CONTROL_PLANE_URL: 'https://kuma-control-plane.kuma-system:5678',
      KUMA_DATAPLANE_DRAIN_TIME: '30s',
      KUMA_DATAPLANE_MESH: 'default',
      KUMA_DNS_ENABLED: 'true',
      KUMA_DNS_ENABLE_LOGGING: 'false',
      KUMA_DNS_PROXY_PORT: '15053',
    });
    const names = (sidecar.env as { name: string }[]).map((e) => e.name);
    expect(names).toEqual([...names].sort());
  });

  it('routes the app probes through the probe proxy (named ports, paths, timeouts)', () => {
    const web = named(pod.spec!.containers, 'web');
    expect(web.readinessProbe).toEqual({
      httpGet: { path: '/8080/healthz', port: 9001, httpHeaders: [{ name: 'X-Kuma-Probes-Timeout', value: '3' }] },
      timeoutSeconds: 3,
    });
    expect(web.livenessProbe).toEqual({ httpGet: { path: '/tcp/8080', port: 9001 } });
  });
});

describe('injectPod variants', () => {
  it('native sidecars: init then sidecar first in initContainers, restartPolicy Always, preStop', () => {
    const pod = inject(
      appPod({ spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'migrate' }] } }),
      testContext({ settings: { sidecarContainersEnabled: true } }),
    );
    expect(pod.spec!.initContainers!.map((c) => c.name)).toEqual(['kuma-init', 'kuma-sidecar', 'migrate']);
    const sidecar = named(pod.spec!.initContainers, 'kuma-sidecar');
    expect(sidecar.restartPolicy).toBe('Always');
    expect(sidecar.lifecycle).toEqual({ preStop: { exec: { command: ['killall', '-USR2', 'kuma-dp'] } } });
    expect(sidecar.startupProbe).toBeDefined();
  });

  it('init-first prepends kuma-init in classic placement', () => {
    const pod = inject(
      appPod({ annotations: { 'kuma.io/init-first': 'true' }, spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'migrate' }] } }),
      testContext(),
    );
    expect(pod.spec!.initContainers!.map((c) => c.name)).toEqual(['kuma-init', 'migrate']);
  });

  it('CNI mode: kuma-validation instead of kuma-init, none for a gateway', () => {
    const ctx = testContext({ config: (c) => void (c.cniEnabled = true) });
    const pod = inject(appPod(), ctx);
    const validation = named(pod.spec!.initContainers, 'kuma-validation');
    expect(validation.args).toEqual(['--config-file=/tmp/.kumactl', '--ip-family-mode=dualstack', '--validation-server-port=15006']);
    expect(pod.metadata!.annotations!['k8s.v1.cni.cncf.io/networks']).toBe('kuma-cni');
    const gateway = inject(appPod({ annotations: { 'kuma.io/gateway': 'enabled' } }), ctx);
    expect(gateway.spec!.initContainers).toBeUndefined();
  });

  it('virtual probes when the probe proxy is off', () => {
    const pod = inject(
      appPod({ annotations: { 'kuma.io/application-probe-proxy-port': '0' } }),
      testContext(),
    );
    const web = named(pod.spec!.containers, 'web');
    expect(pod.metadata!.annotations!['kuma.io/virtual-probes']).toBe('enabled');
    expect(web.readinessProbe!.httpGet).toEqual({ path: '/8080/healthz', port: 9000 });
    expect(web.livenessProbe).toEqual({ tcpSocket: { port: 8080 } });
  });

  it('keeps everything of the user pod, including unknown fields', () => {
    const input = appPod();
    (input.spec as Record<string, unknown>).futureField = { x: [1, 2] };
    (input as Record<string, unknown>).status = { phase: 'Pending' };
    const pod = inject(input, testContext());
    expect((pod.spec as Record<string, unknown>).futureField).toEqual({ x: [1, 2] });
    expect(pod.status).toEqual({ phase: 'Pending' });
  });

  it('is idempotent: a second pass skips the injected pod', () => {
    const ctx = testContext();
    const once = inject(appPod(), ctx);
    expect(injectPod(once, ctx)).toMatchObject({ result: 'skipped', reason: 'already_injected' });
  });
});

describe('injectPod refusals (Kuma 2.13 texts)', () => {
  const ctx = testContext();
  it.each([
    [{ 'kuma.io/service-account-token-volume': 'nope' }, 'volume (nope) specified for kuma.io/service-account-token-volume but volume does not exist in pod spec'],
    [{ 'kuma.io/gateway': 'provided' }, 'unable to set kuma.io/virtual-probes: annotation "kuma.io/gateway" has wrong value "provided"'],
    [{ 'kuma.io/gateway': 'enabled', 'kuma.io/application-probe-proxy-port': '9001' }, "unable to set kuma.io/application-probe-proxy-port: application probe proxies probes can't be enabled in gateway mode"],
    [{ 'kuma.io/sidecar-env-vars': 'A=1;B' }, 'invalid format. Map in "kuma.io/sidecar-env-vars" has to be provided in the following format: key1=value1;key2=value2'],
    [{ 'kuma.io/sidecar-drain-time': 'soon' }, 'time: invalid duration "soon"'],
    [{ 'kuma.io/virtual-probes-port': 'x' }, 'could not generate annotations for pod: unable to set kuma.io/virtual-probes-port: failed to parse annotation "kuma.io/virtual-probes-port": strconv.ParseUint: parsing "x": invalid syntax'],
    [{ 'kuma.io/container-patches': 'a,b' }, 'it appears some expected container patches are missing: ["a" "b"]'],
    [{ 'k8s.kuma.io/spire-support': 'perhaps' }, 'getting k8s.kuma.io/spire-support annotation failed: annotation "k8s.kuma.io/spire-support" has wrong value "perhaps"'],
    [{ 'kuma.io/application-probe-proxy-port': '8080' }, "cannot override Pod's probes. Port for probe cannot be set to 8080. It is reserved for the dataplane that will serve pods without mTLS."],
  ])('%j', (annotations, message) => {
    expect(refused(appPod({ annotations }), ctx)).toBe(message);
  });
});

describe('config-annotation path (transparentProxyConfigMap set)', () => {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kuma-transparent-proxy-config', namespace: 'kuma-system' },
    data: { 'config.yaml': 'kumaDPUser: "5678"\nipFamilyMode: dualstack\n' },
  };
  const ctx = (objects = [enabledNamespace(), mesh(), configMap]) =>
    testContext({
      objects,
      config: (c) => {
        c.transparentProxyConfigMap = 'kuma-transparent-proxy-config';
        c.builtinDNS.port = 0;
        c.applicationProbeProxyPort = 9000;
      },
    });

  it('writes the merged config as one annotation and mounts it', () => {
    const pod = inject(appPod({ annotations: { 'traffic.kuma.io/transparent-proxy-configmap-name': 'custom' } }), ctx());
    expect(pod.metadata!.annotations!['traffic.kuma.io/transparent-proxy-config']).toBe(
      [
        'ipFamilyMode: dualstack',
        'kumaDPUser: "5678"',
        'redirect:',
        '  dns:',
        '    captureAll: false',
        '    enabled: false',
        '    port: 0',
        '    resolvConfigPath: /etc/resolv.conf',
        '    skipConntrackZoneSplit: false',
        '  inbound:',
        '    enabled: true',
        '    excludePorts:',
        '    - 9000',
        '    port: 15006',
        '  outbound:',
        '    enabled: true',
        '    port: 15001',
        'retry:',
        '  maxRetries: 4',
        '  sleepBetweenRetries: 2s',
        'wait: 5',
        'waitInterval: 0',
        '',
      ].join('\n'),
    );
    expect(pod.metadata!.annotations!['kuma.io/transparent-proxying']).toBeUndefined();
    const init = named(pod.spec!.initContainers, 'kuma-init');
    expect(init.args).toEqual(['--config=/tmp/transparent-proxy/base/config.yaml', '--config=/tmp/transparent-proxy/custom/config.yaml']);
    expect(pod.spec!.containers![0]!.args).toContain('--transparent-proxy-config=/tmp/transparent-proxy/custom/config.yaml');
    expect(pod.spec!.volumes!.map((v) => v.name)).toEqual(['kuma-init-tmp', 'kuma-sidecar-tmp', 'transparent-proxy-base', 'transparent-proxy-custom']);
  });

  it('refuses when the ConfigMap is missing or empty', () => {
    expect(refused(appPod(), ctx([enabledNamespace(), mesh()]))).toBe(
      'could not retrieve transparent proxy configuration: configmaps "kuma-transparent-proxy-config" not found',
    );
    expect(refused(appPod(), ctx([enabledNamespace(), mesh(), { ...configMap, data: {} }]))).toBe(
      "could not retrieve transparent proxy configuration: key 'config.yaml' is missing or empty",
    );
  });
});

describe('each pod gets its own objects (the context is reused, never shared out)', () => {
  it('large annotations inject the same way for every pod', () => {
    const ctx = testContext();
    const vars = Array.from({ length: 400 }, (_, i) => `VAR_${i}=value-${i}`).join(';');
    const ports = Array.from({ length: 900 }, (_, i) => String(20000 + i)).join(',');
    const annotations = { 'kuma.io/sidecar-env-vars': vars, 'traffic.kuma.io/exclude-outbound-ports': ports };
    const pods = [inject(appPod({ annotations }), ctx), inject(appPod({ annotations }), ctx)];
    for (const pod of pods) {
      expect(env(named(pod.spec!.containers, 'kuma-sidecar')).VAR_399).toBe('value-399');
      expect(named(pod.spec!.initContainers, 'kuma-init').args).toContain(`--exclude-outbound-ports=${ports}`);
      expect(pod.metadata!.annotations!['traffic.kuma.io/exclude-outbound-ports']).toBe(ports);
    }
  });

  it("kuma-init's flags follow the pod's own tproxy annotations, whatever else differs", () => {
    const ctx = testContext();
    const initArgs = (annotations: Record<string, string>) =>
      named(inject(appPod({ annotations }), ctx).spec!.initContainers, 'kuma-init').args as string[];
    const first = initArgs({ app: 'a', 'traffic.kuma.io/exclude-inbound-ports': '8080' });
    expect(first).toContain('--exclude-inbound-ports=8080,9001');
    expect(initArgs({ app: 'b', 'traffic.kuma.io/exclude-inbound-ports': '8080' })).toEqual(first);
    expect(initArgs({ 'traffic.kuma.io/exclude-inbound-ports': '9090' })).toContain('--exclude-inbound-ports=9090,9001');
  });

  it("an outcome's pod is the caller's to change: nothing in it is frozen or reaches another pod", () => {
    const ctx = testContext();
    const first = inject(appPod(), ctx);
    const expected = inject(appPod(), testContext());
    const sidecar = named(first.spec!.containers, 'kuma-sidecar');
    const init = named(first.spec!.initContainers, 'kuma-init');
    (sidecar.env as { value?: string }[]).forEach((variable) => (variable.value = 'changed'));
    (sidecar.resources as { limits: Record<string, string> }).limits.cpu = '99';
    (init.securityContext as { capabilities: { add: string[] } }).capabilities.add.push('SYS_ADMIN');
    init.volumeMounts!.push({ name: 'extra', mountPath: '/extra' });
    for (const volume of first.spec!.volumes!) (volume as Record<string, unknown>).changed = true;
    expect(inject(appPod(), ctx)).toEqual(expected);
  });
});

describe('malformed pods are refused, never thrown', () => {
  const ctx = { ...testContext(), namespace: 'demo' };
  it.each([
    [{}, 'invalid pod: spec must be a map'],
    [{ spec: { containers: 'x' } }, 'invalid pod: spec.containers must be a list'],
    [{ spec: { containers: [null] } }, 'invalid pod: spec.containers[0] must be an object with a name'],
    [{ spec: { containers: [{ name: 'a', env: 'x' }] } }, 'invalid pod: spec.containers[0].env must be a list'],
    [{ metadata: { annotations: { 'kuma.io/gateway': 5 } }, spec: { containers: [{ name: 'a' }] } }, 'invalid pod: metadata.annotations.kuma.io/gateway must be a string'],
    [{ metadata: { labels: ['app'] }, spec: { containers: [{ name: 'a' }] } }, 'invalid pod: metadata.labels must be a map of strings'],
    [{ metadata: [] }, 'invalid pod: metadata must be a map'],
    [{ metadata: { namespace: {} }, spec: { containers: [{ name: 'a' }] } }, 'invalid pod: metadata.namespace must be a string'],
    [{ spec: { containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'X' }, 'Y=1'] }] } }, 'invalid pod: spec.containers[1].env[1] must be an object'],
    [{ spec: { containers: [{ name: 'a', readinessProbe: [] }] } }, 'invalid pod: spec.containers[0].readinessProbe must be an object'],
    [{ spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i', ports: [null] }] } }, 'invalid pod: spec.initContainers[0].ports[0] must be an object'],
    [{ spec: { containers: [{ name: 'a' }], volumes: [{ emptyDir: {} }] } }, 'invalid pod: spec.volumes[0] must be an object with a name'],
  ])('%j', (pod, message) => {
    expect(injectPod(pod as Pod, ctx)).toEqual({ result: 'refused', reason: 'invalid_pod', message });
  });

  it('treats null maps and lists as absent, as a typed decoder does', () => {
    const pod = { metadata: { annotations: null, labels: null }, spec: { containers: [{ name: 'a' }], volumes: null, initContainers: null } };
    expect(inject(pod as unknown as Pod, ctx).spec!.containers!.map((c) => c.name)).toEqual(['kuma-sidecar', 'a']);
  });
});
