// fast-check generators of realistic, schema-valid Pods as they arrive in an
// AdmissionReview (raw wire JSON): several containers and init containers,
// env, volumes, probes of every kind with named and numeric ports, security
// contexts, and labels/annotations including Kuma's, with odd but valid values.
import fc from 'fast-check';

export type PodJson = Record<string, unknown> & {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: ContainerJson[]; initContainers?: ContainerJson[]; [k: string]: unknown };
};
type ContainerJson = Record<string, unknown> & { name: string; ports?: { name?: string; containerPort: number }[] };

/** The UID of the sidecar in Kuma's default config; app containers running as it are refused. */
export const SIDECAR_UID = 5678;

const dnsLabel = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.option(fc.stringMatching(/^[a-z0-9]{1,6}$/), { nil: undefined }))
  .map(([a, b]) => (b === undefined ? a : `${a}-${b}`));

const portNumber = fc.integer({ min: 1, max: 65535 });
const portName = fc.stringMatching(/^[a-z]{1,6}-?[a-z0-9]{1,6}$/).filter((n) => n.length <= 15 && /[a-z]/.test(n));

// Odd but valid strings: unicode, quotes, '=', ';', newlines, YAML-looking text, empty.
const oddString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', 'true', 'no', '0', '007', '1e3', 'null', '~', 'a=b', 'x;y', '{"k": [1, 2]}', '- item', 'line1\nline2', 'tab\there', 'ünïcødé ✓', "it's \"quoted\"", '#comment', '*', '&anchor'),
);

const qualifiedKey = fc.oneof(
  dnsLabel,
  fc.tuple(fc.constantFrom('app.kubernetes.io', 'example.com', 'team.example.org', 'helm.sh'), dnsLabel).map(([p, n]) => `${p}/${n}`),
);
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/));

const envVar = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/), value: oddString }) },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/),
      valueFrom: fc.oneof(
        fc.constant({ fieldRef: { fieldPath: 'metadata.name' } }),
        fc.constant({ fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } }),
        fc.constant({ secretKeyRef: { name: 'db', key: 'password', optional: true } }),
        fc.constant({ configMapKeyRef: { name: 'cfg', key: 'app.properties' } }),
        fc.constant({ resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } }),
      ),
    }),
  },
);

const quantityCpu = fc.constantFrom('1', '100m', '250m', '0.5', '2', '1500m');
const quantityMem = fc.constantFrom('64Mi', '128Mi', '1Gi', '512M', '1e9', '100Ki');
const resources = fc.oneof(
  fc.constant({}),
  fc.record({ requests: fc.record({ cpu: quantityCpu, memory: quantityMem }, { requiredKeys: [] }), limits: fc.record({ cpu: quantityCpu, memory: quantityMem }, { requiredKeys: [] }) }, { requiredKeys: [] }),
);

const securityContext = fc.record(
  {
    runAsUser: fc.oneof(fc.integer({ min: 0, max: 65534 }).filter((u) => u !== SIDECAR_UID), fc.constant(1000)),
    runAsNonRoot: fc.boolean(),
    runAsGroup: fc.integer({ min: 0, max: 65534 }),
    readOnlyRootFilesystem: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    privileged: fc.boolean(),
    capabilities: fc.record({ add: fc.subarray(['NET_ADMIN', 'NET_RAW', 'SYS_TIME']), drop: fc.constantFrom(['ALL'], []) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** A probe targeting one of the container's ports (by name or number) or a free port; every handler kind. */
function probe(ports: { name?: string; containerPort: number }[]): fc.Arbitrary<Record<string, unknown>> {
  const named = ports.flatMap((p) => (p.name ? [p.name] : []));
  const target: fc.Arbitrary<number | string> = fc.oneof(
    portNumber,
    ...(ports.length ? [fc.constantFrom(...ports.map((p) => p.containerPort))] : []),
    ...(named.length ? [fc.constantFrom(...named)] : []),
  );
  const numeric = fc.oneof(portNumber, ...(ports.length ? [fc.constantFrom(...ports.map((p) => p.containerPort))] : []));
  const handler = fc.oneof(
    fc.record(
      {
        httpGet: fc.record(
          {
            port: target,
            path: fc.constantFrom('/healthz', '/ready', 'noslash', '/a/b?x=1', '', '/ünï'),
            scheme: fc.constantFrom('HTTP', 'HTTPS'),
            host: fc.constantFrom('localhost', '127.0.0.1'),
            httpHeaders: fc.array(fc.record({ name: fc.constantFrom('Host', 'X-Custom', 'Accept'), value: oddString }), { maxLength: 3 }),
          },
          { requiredKeys: ['port'] },
        ),
      },
    ),
    fc.record({ tcpSocket: fc.record({ port: target }) }),
    fc.record({ grpc: fc.record({ port: numeric, service: fc.constantFrom('', 'health', '/startup') }, { requiredKeys: ['port'] }) }),
    fc.record({ exec: fc.record({ command: fc.array(oddString, { minLength: 1, maxLength: 3 }) }) }),
  );
  const timing = fc.record(
    {
      initialDelaySeconds: fc.integer({ min: 0, max: 60 }),
      timeoutSeconds: fc.integer({ min: 1, max: 10 }),
      periodSeconds: fc.integer({ min: 1, max: 30 }),
      failureThreshold: fc.integer({ min: 1, max: 5 }),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(handler, timing).map(([h, t]) => ({ ...h, ...t }));
}

const containerPorts = fc.uniqueArray(
  fc.record({ name: fc.option(portName, { nil: undefined }), containerPort: portNumber, protocol: fc.constantFrom('TCP', 'UDP', undefined) }, { requiredKeys: ['containerPort'] }),
  { maxLength: 3, selector: (p) => p.containerPort },
).map((ports) => {
  // Port names must be unique inside a container; drop the name of later duplicates.
  const seen = new Set<string>();
  return ports.map((p) => {
    const out: { name?: string; containerPort: number; protocol?: string } = { containerPort: p.containerPort };
    if (p.name && !seen.has(p.name)) {
      seen.add(p.name);
      out.name = p.name;
    }
    if (p.protocol) out.protocol = p.protocol;
    return out;
  });
});

const image = fc.constantFrom('nginx:1.27', 'busybox', 'ghcr.io/acme/app:v1.2.3', 'registry.example.com:5000/team/svc@sha256:' + 'a'.repeat(64), 'postgres:16-alpine');

function container(name: string, volumeNames: string[], withProbes: boolean): fc.Arbitrary<ContainerJson> {
  return containerPorts.chain((ports) =>
    fc
      .record(
        {
          image,
          command: fc.array(oddString, { maxLength: 3 }),
          args: fc.array(oddString, { maxLength: 3 }),
          env: fc.uniqueArray(envVar, { maxLength: 6, selector: (e) => e.name }),
          resources,
          securityContext,
          imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent', 'Never'),
          volumeMounts: volumeNames.length
            ? fc.subarray(volumeNames).map((vs) => vs.map((v, i) => ({ name: v, mountPath: `/mnt/${v}-${i}`, readOnly: i % 2 === 0 })))
            : fc.constant([]),
          livenessProbe: withProbes ? probe(ports) : fc.constant(undefined),
          readinessProbe: withProbes ? probe(ports) : fc.constant(undefined),
          startupProbe: withProbes ? probe(ports) : fc.constant(undefined),
        },
        { requiredKeys: ['image'] },
      )
      .map((c) => {
        const out: ContainerJson = { name, ...dropUndefined(c) };
        if (ports.length) out.ports = ports;
        return out;
      }),
  );
}

const volume = (name: string) =>
  fc.oneof(
    fc.constant({ name, emptyDir: {} }),
    fc.constant({ name, emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }),
    fc.constant({ name, configMap: { name: 'app-config', defaultMode: 420 } }),
    fc.constant({ name, secret: { secretName: 'tls', optional: true } }),
    fc.constant({ name, projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }),
    fc.constant({ name, downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }),
  );

/** Values Kuma reads from pod annotations: mostly valid, sometimes wrong (the injector must refuse, not throw). */
const kumaAnnotationValues: Record<string, fc.Arbitrary<string>> = {
    'kuma.io/mesh': fc.constantFrom('default', 'demo', ''),
    'kuma.io/gateway': fc.constantFrom('enabled', 'disabled', 'provided'),
    'kuma.io/init-first': fc.constantFrom('true', 'false', 'yes', 'maybe'),
    'kuma.io/sidecar-env-vars': fc.constantFrom('A=1;B=two', 'FOO=bar', 'broken;', ''),
    'kuma.io/sidecar-drain-time': fc.constantFrom('10s', '1m30s', 'soon'),
    'kuma.io/sidecar-proxy-concurrency': fc.constantFrom('0', '4', 'x'),
    'kuma.io/application-probe-proxy-port': fc.constantFrom('0', '9001', '19000', 'abc'),
    'kuma.io/virtual-probes': fc.constantFrom('enabled', 'disabled'),
    'kuma.io/virtual-probes-port': fc.constantFrom('9000', '19001'),
    'kuma.io/envoy-log-level': fc.constantFrom('debug', 'info'),
    'kuma.io/wait-for-dataplane-ready': fc.constantFrom('true', 'false'),
    'kuma.io/sidecar-injected': fc.constantFrom('false', 'true'),
    'kuma.io/transparent-proxying-ip-family-mode': fc.constantFrom('ipv4', 'dualstack', 'IPv4'),
    'traffic.kuma.io/exclude-inbound-ports': fc.constantFrom('1234', '1234, 5678', '80,443'),
    'traffic.kuma.io/exclude-outbound-ports': fc.constantFrom('5432', '25,587'),
    'traffic.kuma.io/exclude-outbound-ips': fc.constantFrom('10.0.0.1', '192.168.0.0/16,fd00::/8'),
    'traffic.kuma.io/drop-invalid-packets': fc.constantFrom('true', 'no'),
    'kubectl.kubernetes.io/default-container': fc.constantFrom('app'),
    'prometheus.io/scrape': fc.constantFrom('true'),
};
/** Up to three of Kuma's annotations per pod, so that most pods still inject. */
const kumaAnnotations = fc
  .uniqueArray(fc.constantFrom(...Object.keys(kumaAnnotationValues)), { maxLength: 3 })
  .chain((keys) => fc.tuple(...keys.map((k) => kumaAnnotationValues[k]!.map((v) => [k, v] as const))))
  .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

export interface PodArbitraryOptions {
  /** Namespace the pods claim; the test's state must define it. */
  namespace: string;
  /** Include rare inputs that make Kuma refuse or skip (bad label values, UID collision, existing sidecar). */
  includeRefusals?: boolean;
}

/** Realistic Pods as an API server would send them in an AdmissionReview (CREATE). */
export function podArbitrary(options: PodArbitraryOptions): fc.Arbitrary<PodJson> {
  const refusals = options.includeRefusals ?? true;
  const names = fc.uniqueArray(dnsLabel.filter((n) => !n.startsWith('kuma')), { minLength: 1, maxLength: 6 });
  const volumeNames = fc.uniqueArray(dnsLabel.map((n) => `vol-${n}`), { maxLength: 3 });
  return fc.tuple(names, volumeNames, fc.integer({ min: 1, max: 4 })).chain(([allNames, vols, wantContainers]) => {
    const nContainers = Math.min(wantContainers, allNames.length);
    const appNames = allNames.slice(0, nContainers);
    const initNames = allNames.slice(nContainers);
    const injectionLabel = refusals
      ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom('enabled', 'true', 'yes') }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'disabled', 'false', 'no', 'Enabled', '') })
      : fc.constantFrom('enabled', 'true', 'yes');
    return fc
      .record({
        name: dnsLabel,
        labels: fc.dictionary(qualifiedKey, labelValue, { maxKeys: 4 }),
        injection: injectionLabel,
        meshLabel: fc.constantFrom(undefined, 'default'),
        annotations: fc.dictionary(qualifiedKey, oddString, { maxKeys: 3 }),
        kuma: refusals ? kumaAnnotations : fc.constant<Record<string, string>>({}),
        containers: fc.tuple(...appNames.map((n) => container(n, vols, true))),
        // Init containers: some are the app's own native sidecars (restartPolicy: Always).
        initContainers: fc.tuple(
          ...initNames.map((n) =>
            fc.tuple(container(n, vols, false), fc.boolean()).map(([c, native]) => (native ? { ...c, restartPolicy: 'Always' } : c)),
          ),
        ),
        volumes: fc.tuple(...vols.map(volume)),
        podSecurityContext: fc.record({ runAsUser: fc.integer({ min: 0, max: 65534 }), fsGroup: fc.integer({ min: 0, max: 65534 }) }, { requiredKeys: [] }),
        serviceAccountName: fc.constantFrom(undefined, 'default', 'app-sa'),
        restartPolicy: fc.constantFrom(undefined, 'Always', 'OnFailure', 'Never'),
        // Host-network pods are never injected: keep them rare so most pods exercise the mutation.
        hostNetwork: fc.integer({ min: 0, max: 9 }).map((n) => (n === 0 ? true : n === 1 ? false : undefined)),
        uidClash: refusals ? fc.integer({ min: 0, max: 19 }) : fc.constant(1),
      })
      .map((g) => {
        const labels: Record<string, string> = { ...g.labels };
        if (g.injection !== undefined) labels['kuma.io/sidecar-injection'] = g.injection;
        if (g.meshLabel !== undefined) labels['kuma.io/mesh'] = g.meshLabel;
        const annotations = { ...g.annotations, ...g.kuma };
        const containers = [...g.containers];
        // About one pod in twenty runs an app container as the sidecar's UID.
        if (g.uidClash === 0) containers[0] = { ...containers[0]!, securityContext: { runAsUser: SIDECAR_UID } };
        const spec: PodJson['spec'] = dropUndefined({
          containers,
          initContainers: g.initContainers.length ? [...g.initContainers] : undefined,
          volumes: g.volumes.length ? [...g.volumes] : undefined,
          securityContext: g.podSecurityContext,
          serviceAccountName: g.serviceAccountName,
          restartPolicy: g.restartPolicy,
          hostNetwork: g.hostNetwork,
        });
        const metadata: PodJson['metadata'] = { name: g.name, namespace: options.namespace };
        if (Object.keys(labels).length) metadata.labels = labels;
        if (Object.keys(annotations).length) metadata.annotations = annotations;
        return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
      });
  });
}

function dropUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
