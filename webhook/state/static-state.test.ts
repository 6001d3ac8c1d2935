import { describe, expect, it } from 'vitest';
import { StaticClusterState } from './static-state.ts';

describe('StaticClusterState', () => {
  it('indexes Namespaces, Meshes, ContainerPatches and ConfigMaps; later objects replace earlier ones', () => {
    const state = new StaticClusterState([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { a: '1' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { a: '2' } } },
      { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'default' } },
      { apiVersion: 'kuma.io/v1alpha1', kind: 'ContainerPatch', metadata: { name: 'p', namespace: 'kuma-system' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kuma-system' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'demo' } },
    ]);
    expect(state.namespace('demo')?.metadata.labels).toEqual({ a: '2' });
    expect(state.mesh('default')).toBeDefined();
    expect(state.mesh('other')).toBeUndefined();
    expect(state.containerPatch('kuma-system', 'p')).toBeDefined();
    expect(state.containerPatch('default', 'p')).toBeUndefined();
    expect(state.configMap('kuma-system', 'c')).toBeDefined();
    expect(state.ready()).toBe(true);
  });
});
