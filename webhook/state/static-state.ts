// A ClusterState over a fixed list of Kubernetes objects: the offline source
// (`--state` files, tests, the demo). Objects of other kinds are ignored.
import type { ClusterState, KubeObject } from './cluster-state.ts';

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class StaticClusterState implements ClusterState {
  private readonly namespaces = new Map<string, KubeObject>();
  private readonly meshes = new Map<string, KubeObject>();
  private readonly containerPatches = new Map<string, KubeObject>();
  private readonly configMaps = new Map<string, KubeObject>();

  constructor(objects: Iterable<KubeObject> = []) {
    for (const object of objects) this.add(object);
  }

  /** Adds (or replaces, by kind and name) one object; later objects win. */
  add(object: KubeObject): void {
    const name = object.metadata?.name;
    if (!name) return;
    const namespace = object.metadata.namespace ?? 'default';
    switch (object.kind) {
      case 'Namespace':
        this.namespaces.set(name, object);
        break;
      case 'Mesh':
        this.meshes.set(name, object);
        break;
      case 'ContainerPatch':
        this.containerPatches.set(key(namespace, name), object);
        break;
      case 'ConfigMap':
        this.configMaps.set(key(namespace, name), object);
        break;
      default:
        break;
    }
  }

  namespace(name: string): KubeObject | undefined {
    return this.namespaces.get(name);
  }

  mesh(name: string): KubeObject | undefined {
    return this.meshes.get(name);
  }

  containerPatch(namespace: string, name: string): KubeObject | undefined {
    return this.containerPatches.get(key(namespace, name));
  }

  configMap(namespace: string, name: string): KubeObject | undefined {
    return this.configMaps.get(key(namespace, name));
  }

  ready(): boolean {
    return true;
  }
}
