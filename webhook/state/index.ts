// The cluster state the engine reads (Namespaces, Meshes, ContainerPatches,
// ConfigMaps): its interface, a static one, and one loaded from YAML files.
// The watch caches (informer-state.ts) are imported on their own, lazily:
// their Kubernetes client costs about 100 MB of memory.
export type { ClusterState, KubeObject, ObjectMeta } from './cluster-state.ts';
export { StaticClusterState } from './static-state.ts';
export { loadStateFiles, parseStateObjects, StateFileError, type StateFileErrorCode } from './file-state.ts';
export { logStateEvent, stderrLogger, type StateLogger } from './state-log.ts';
export type { StateEvent, StateEventListener } from './state-events.ts';
