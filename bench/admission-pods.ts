// The pods the webhook benchmark admits (wrapped in an AdmissionReview by
// webhook/demo/sample-review.ts, as the API server would send them).

/** A pod as a Deployment's ReplicaSet creates it: one app, probes, env, a token volume. */
export function realisticPod(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'backend-7d9c6f5b8-',
      namespace,
      labels: { app: 'backend', 'pod-template-hash': '7d9c6f5b8', 'app.kubernetes.io/version': '1.4.2' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'backend-7d9c6f5b8', uid: '5f0d7c1e-3a57-4b8e-9d6c-2e1f0a9b8c7d', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      serviceAccountName: 'backend',
      containers: [
        {
          name: 'backend',
          image: 'ghcr.io/acme/backend:1.4.2',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'DB_HOST', value: 'postgres.db.svc.cluster.local' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-db', key: 'password' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 2 },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/backend', readOnly: true },
            { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          ],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
          securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'backend-config', defaultMode: 420 } },
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {},
  };
}

/** A five-letter suffix from the alphabet Kubernetes generates names with, distinct for each `n` below 27^5. */
function suffix(n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0, rest = n * 7919 + 104729; i < 5; i++, rest = Math.floor(rest / alphabet.length)) out += alphabet[rest % alphabet.length];
  return out;
}

/**
 * `count` replicas of the realistic pod, as a rollout sends them: the same
 * template, each with its own service-account token volume (the API server
 * names it kube-api-access-<random> per pod, and the sidecar mounts it).
 */
export function realisticReplicas(namespace: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const pod = realisticPod(namespace) as { spec: { containers: { volumeMounts: { name: string }[] }[]; volumes: { name: string }[] } };
    const tokenVolume = `kube-api-access-${suffix(i)}`;
    pod.spec.containers[0]!.volumeMounts[1]!.name = tokenVolume;
    pod.spec.volumes[1]!.name = tokenVolume;
    return pod;
  });
}

/** A very wide pod: `containers` app containers with `envPerContainer` env vars each, every one with probes. */
export function widePod(namespace: string, containers: number, envPerContainer: number): Record<string, unknown> {
  const pod = realisticPod(namespace) as { spec: { containers: Record<string, unknown>[] } };
  const template = pod.spec.containers[0]!;
  pod.spec.containers = Array.from({ length: containers }, (_, c) => ({
    ...structuredClone(template),
    name: `worker-${c}`,
    ports: [{ name: `http-${c}`, containerPort: 8000 + c, protocol: 'TCP' }],
    livenessProbe: { httpGet: { path: '/healthz', port: `http-${c}` }, periodSeconds: 10 },
    readinessProbe: { tcpSocket: { port: 8000 + c }, periodSeconds: 5 },
    env: Array.from({ length: envPerContainer }, (_, e) => ({ name: `SETTING_${c}_${e}`, value: `value-${c}-${e}-${'x'.repeat(e % 17)}` })),
  }));
  return pod;
}
