// The API resources the injector watches, and how each is listed. One entry
// per informer; paths are the watch paths client-node's ListWatch opens.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { SlimShape } from './slim-object.ts';

export interface RawList {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

export interface WatchedResource extends SlimShape {
  /** Name in events, logs and metrics: `namespaces`, `meshes`, `containerpatches`, `configmaps`. */
  name: string;
  /** Watch (and list) path. */
  path: string;
  fieldSelector?: string;
  /** A Kuma CRD: its absence (404) means Kuma's CRDs are not installed. */
  crd: boolean;
  /** One list request. */
  list(): Promise<RawList>;
}

export interface WatchScope {
  /** Kuma's system namespace: where ContainerPatches and the transparent-proxy ConfigMap live. */
  systemNamespace: string;
  /**
   * Name of the transparent-proxy ConfigMap (`runtime.kubernetes.injector.transparentProxyConfigMap`).
   * Empty or absent (the 2.13 default, the legacy annotation path): ConfigMaps are not read, so not watched.
   */
  transparentProxyConfigMap?: string;
}

const KUMA = { group: 'kuma.io', version: 'v1alpha1' } as const;

export function watchedResources(kubeConfig: KubeConfig, scope: WatchScope): WatchedResource[] {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = scope.systemNamespace;
  const resources: WatchedResource[] = [
    {
      name: 'namespaces',
      path: '/api/v1/namespaces',
      apiVersion: 'v1',
      kind: 'Namespace',
      keep: [],
      crd: false,
      list: () => core.listNamespace(),
    },
    {
      name: 'meshes',
      path: `/apis/${KUMA.group}/${KUMA.version}/meshes`,
      apiVersion: `${KUMA.group}/${KUMA.version}`,
      kind: 'Mesh',
      keep: ['spec'],
      crd: true,
      list: () => custom.listClusterCustomObject({ ...KUMA, plural: 'meshes' }) as Promise<RawList>,
    },
    {
      name: 'containerpatches',
      path: `/apis/${KUMA.group}/${KUMA.version}/namespaces/${namespace}/containerpatches`,
      apiVersion: `${KUMA.group}/${KUMA.version}`,
      kind: 'ContainerPatch',
      keep: ['spec'],
      crd: true,
      list: () =>
        custom.listNamespacedCustomObject({ ...KUMA, namespace, plural: 'containerpatches' }) as Promise<RawList>,
    },
  ];
  const configMapName = scope.transparentProxyConfigMap;
  if (configMapName) {
    const fieldSelector = `metadata.name=${configMapName}`;
    resources.push({
      name: 'configmaps',
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      keep: ['data'],
      crd: false,
      fieldSelector,
      list: () => core.listNamespacedConfigMap({ namespace, fieldSelector }),
    });
  }
  return resources;
}
