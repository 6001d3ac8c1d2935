// The in-cluster ClusterState: one watch cache per resource the injector
// reads, filled by client-node informers. Reads only consult the caches, so an
// admission never makes an API request; `ready()` turns true once every cache
// has completed its first list and stays true (later failures leave the last
// known objects in place while the informers retry).
import type { KubeConfig } from '@kubernetes/client-node';
import { trackConnections, type ClientConnections } from '../kube-api/index.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import type { ClusterState, KubeObject } from './cluster-state.ts';
import { loadKubeConfig, type KubeConfigSource } from './kube-config.ts';
import { ResourceInformer, type InformerTiming } from './resource-informer.ts';
import type { StateEvent, StateEventListener } from './state-events.ts';
import { logStateEvent, stderrLogger, type StateLogger } from './state-log.ts';
import { watchedResources, type WatchScope } from './watched-resources.ts';

export interface InformerStateOptions extends WatchScope, KubeConfigSource, Partial<InformerTiming> {
  /** A ready KubeConfig; when given, `kubeconfigPath` is not read. */
  kubeConfig?: KubeConfig;
  /** Where state events are logged; stderr JSON lines by default. */
  logger?: StateLogger;
}

export interface InformerClusterState extends ClusterState {
  /** Resolves once `ready()` is true. */
  whenReady(): Promise<void>;
  /** API requests made so far (every list and every watch connection). */
  apiRequests(): number;
  /** Subscribes to state events; returns the unsubscribe function. */
  onEvent(listener: StateEventListener): () => void;
  /** Stops every informer and closes its watch connection. */
  stop(): Promise<void>;
}

export const DEFAULT_TIMING: InformerTiming = {
  backoff: DEFAULT_BACKOFF,
  relistIntervalMs: 10 * 60_000,
  watchTimeoutSeconds: 5 * 60,
};

class InformerState implements InformerClusterState {
  private readonly informers = new Map<string, ResourceInformer>();
  private readonly connections: ClientConnections;
  private readonly listeners = new Set<StateEventListener>();
  private readonly readyWaiters: Array<() => void> = [];
  private requests = 0;
  private isReady = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: InformerStateOptions,
  ) {
    const timing: InformerTiming = {
      backoff: options.backoff ?? DEFAULT_TIMING.backoff,
      relistIntervalMs: options.relistIntervalMs ?? DEFAULT_TIMING.relistIntervalMs,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_TIMING.watchTimeoutSeconds,
    };
    this.connections = trackConnections(kubeConfig);
    const tracked = this.connections.kubeConfig;
    for (const resource of watchedResources(tracked, options)) {
      this.informers.set(resource.name, new ResourceInformer(tracked, resource, timing, (event) => this.emit(event)));
    }
    const logger = options.logger ?? stderrLogger;
    this.listeners.add((event) => logStateEvent(logger, event));
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  namespace(name: string): KubeObject | undefined {
    return this.informers.get('namespaces')?.get(name);
  }

  mesh(name: string): KubeObject | undefined {
    return this.informers.get('meshes')?.get(name);
  }

  /** Only the system namespace is watched: ContainerPatches elsewhere are not visible (as in Kuma). */
  containerPatch(namespace: string, name: string): KubeObject | undefined {
    if (namespace !== this.options.systemNamespace) return undefined;
    return this.informers.get('containerpatches')?.get(name, namespace);
  }

  /** Only the configured transparent-proxy ConfigMap is watched. */
  configMap(namespace: string, name: string): KubeObject | undefined {
    if (namespace !== this.options.systemNamespace || name !== this.options.transparentProxyConfigMap) return undefined;
    return this.informers.get('configmaps')?.get(name, namespace);
  }

  ready(): boolean {
    return this.isReady;
  }

  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  apiRequests(): number {
    return this.requests;
  }

  onEvent(listener: StateEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    const stopping = Promise.all([...this.informers.values()].map((informer) => informer.stop()));
    // Once no informer restarts: a list or watch still waiting for its answer would hold stop() (and the process).
    this.connections.closeAll();
    await stopping;
  }

  private emit(event: StateEvent): void {
    if (event.type === 'api-request') this.requests += 1;
    for (const listener of this.listeners) listener(event);
    if (event.type === 'synced' && !this.isReady && [...this.informers.values()].every((i) => i.isSynced())) {
      this.isReady = true;
      this.emit({ type: 'ready' });
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    }
  }
}

/**
 * Starts the informers and returns at once; the state is not ready until every
 * initial list has reached its cache (serve `/readyz` from `ready()`).
 */
export function startInformerState(options: InformerStateOptions): InformerClusterState {
  const state = new InformerState(options.kubeConfig ?? loadKubeConfig(options), options);
  state.start();
  return state;
}
