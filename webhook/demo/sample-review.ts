// AdmissionReviews as the API server sends them for a Pod CREATE: what the
// demo writes for its curl example, and what tests build their reviews from.
import { randomUUID } from 'node:crypto';
import { demoNamespace } from './demo-state.ts';

export interface ReviewOptions {
  namespace?: string;
  uid?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  dryRun?: boolean;
}

/**
 * An `admission.k8s.io/v1` AdmissionReview of a Pod, with the fields Kubernetes
 * sets. Like the API server, it puts the request's namespace into the object.
 */
export function podAdmissionReview(pod: Record<string, unknown>, options: ReviewOptions = {}) {
  const namespace = options.namespace ?? demoNamespace;
  const metadata = { ...((pod.metadata ?? {}) as { name?: string }), namespace };
  const object: Record<string, unknown> = { ...pod, metadata };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: metadata.name,
      namespace,
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
      object,
      oldObject: null,
      dryRun: options.dryRun ?? false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

/** A small web application pod, as a ReplicaSet would create it in the demo namespace. */
export function samplePod(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'demo-app-5d8f7c9b4-',
      namespace: demoNamespace,
      labels: { app: 'demo-app', 'pod-template-hash': '5d8f7c9b4' },
    },
    spec: {
      containers: [
        {
          name: 'demo-app',
          image: 'nginxinc/nginx-unprivileged:1.27',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 5 },
          resources: { requests: { cpu: '50m', memory: '32Mi' } },
        },
      ],
      serviceAccountName: 'default',
    },
  };
}
