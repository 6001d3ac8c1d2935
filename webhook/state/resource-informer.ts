// One watch cache: a client-node ListWatch for one resource, plus what the
// ListWatch lacks. client-node relists by itself on 410 Gone and re-opens a
// watch the server closed, but it stops for good on any other error; here a
// failure restarts it after a backoff (a watch resumes at its last
// resourceVersion, a failed list lists again), and a periodic relist bounds
// how stale a silently dead connection can leave the cache.
import { ListWatch, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { describeApiError, statusOf } from '../kube-api/index.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import type { KubeObject } from './cluster-state.ts';
import { InformerWatch } from './informer-watch.ts';
import { slimObject } from './slim-object.ts';
import type { RelistReason, StateEvent } from './state-events.ts';
import type { WatchedResource } from './watched-resources.ts';

export interface InformerTiming {
  backoff: BackoffPolicy;
  /** Mean interval of the periodic relist (±10% jitter); 0 turns it off. */
  relistIntervalMs: number;
  /** Asked of the API server for each watch connection; it then closes it and the watch resumes. */
  watchTimeoutSeconds: number;
}

export class ResourceInformer {
  private readonly listWatch: ListWatch<KubeObject>;
  private readonly watch: InformerWatch;
  private synced = false;
  private stopped = false;
  private failures = 0;
  /** A list that succeeded and that the ListWatch applies before it opens its next watch. */
  private listed: { objects: number } | undefined;
  private nextRelistReason: RelistReason = 'restart';
  private retryTimer: NodeJS.Timeout | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private readonly listing = new Set<Promise<unknown>>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly resource: WatchedResource,
    private readonly timing: InformerTiming,
    private readonly emit: (event: StateEvent) => void,
  ) {
    this.watch = new InformerWatch(kubeConfig, resource, timing.watchTimeoutSeconds, {
      opening: () => this.applyListed(),
      connected: () => {
        this.failures = 0;
      },
      gone: () => {
        this.nextRelistReason = 'gone';
      },
    });
    this.listWatch = new ListWatch<KubeObject>(
      resource.path,
      this.watch,
      () => this.list(),
      false,
      undefined,
      resource.fieldSelector,
    );
    this.listWatch.on('error', (err: unknown) => this.failed(err));
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** A cached object (never a request). */
  get(name: string, namespace?: string): KubeObject | undefined {
    return this.listWatch.get(name, namespace);
  }

  start(): void {
    this.run();
    this.scheduleRelist();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.relistTimer);
    await this.listWatch.stop();
    // Requests already on their way finish (a list) or are aborted (a watch), so none outlives stop().
    await Promise.allSettled([...this.listing]);
    await this.watch.close();
  }

  private run(): void {
    this.listWatch.start().catch((err: unknown) => this.failed(err));
  }

  private async list(): Promise<KubernetesListObject<KubeObject>> {
    this.emit({ type: 'api-request', resource: this.resource.name, verb: 'list' });
    const request = this.resource.list();
    this.listing.add(request);
    const raw = await request.finally(() => this.listing.delete(request));
    const items: KubeObject[] = [];
    for (const item of raw.items ?? []) {
      const slim = slimObject(item, this.resource);
      if (slim) items.push(slim);
    }
    this.listed = { objects: items.length };
    return { metadata: { resourceVersion: raw.metadata?.resourceVersion }, items };
  }

  /** The ListWatch opens a watch right after it has applied a list, so a pending list is in the cache now. */
  private applyListed(): void {
    const listed = this.listed;
    this.listed = undefined;
    if (listed && !this.synced) {
      this.synced = true;
      this.emit({ type: 'synced', resource: this.resource.name, objects: listed.objects });
    } else if (listed) {
      this.emit({ type: 'relisted', resource: this.resource.name, reason: this.nextRelistReason, objects: listed.objects });
    }
    if (listed) this.nextRelistReason = 'restart';
    this.emit({ type: 'api-request', resource: this.resource.name, verb: 'watch' });
  }

  private failed(err: unknown): void {
    // Stopping aborts the open watch, which client-node reports as an error.
    if (this.stopped) return;
    this.failures += 1;
    const retryInMs = backoffDelay(this.failures, this.timing.backoff);
    const status = statusOf(err);
    const missing = status === 404;
    const message = missing
      ? `${this.resource.path} is not served by the API server (404)` +
        (this.resource.crd ? ": Kuma's CRDs (kuma.io/v1alpha1) are not installed" : '')
      : describeApiError(err);
    this.emit({ type: 'watch-error', resource: this.resource.name, message, status, missing, attempt: this.failures, retryInMs });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.run();
    }, retryInMs);
  }

  private scheduleRelist(): void {
    if (this.timing.relistIntervalMs <= 0 || this.stopped) return;
    const delay = this.timing.relistIntervalMs * (0.9 + 0.2 * Math.random());
    this.relistTimer = setTimeout(() => {
      // With no open watch the informer is listing or waiting to restart: skip this round.
      // The reason is read only once the relist has completed, so it can be set after ending the watch.
      if (this.watch.endWithRelist('periodic relist')) this.nextRelistReason = 'periodic';
      this.scheduleRelist();
    }, delay);
    this.relistTimer.unref();
  }
}
