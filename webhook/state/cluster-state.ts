// The cluster objects the injector reads, behind one small synchronous
// interface. Sources: watch caches (informers) in a cluster, YAML files offline.
// Reads never touch the network: the admission path must not call the API server.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Any Kubernetes object as it comes over the wire (raw JSON, not client-node models). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ClusterState {
  /** Namespace by name. */
  namespace(name: string): KubeObject | undefined;
  /** Cluster-scoped Mesh (`kuma.io/v1alpha1`) by name. */
  mesh(name: string): KubeObject | undefined;
  /** ContainerPatch (`kuma.io/v1alpha1`) by namespace and name. */
  containerPatch(namespace: string, name: string): KubeObject | undefined;
  /** ConfigMap by namespace and name (the transparent-proxy ConfigMap). */
  configMap(namespace: string, name: string): KubeObject | undefined;
  /** True once every source has completed its initial sync. */
  ready(): boolean;
}
