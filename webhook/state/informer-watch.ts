// The Watch that a ListWatch uses for one resource. On top of client-node's
// Watch it slims every object before the ListWatch caches it, reports each
// connection (so requests are counted and list results are applied), asks for
// bookmarks and a server-side timeout, and lets the owner end the current
// connection with a "410 Gone", which makes the ListWatch relist.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { statusOf } from '../kube-api/index.ts';
import { slimObject, type SlimShape } from './slim-object.ts';

export interface InformerWatchHooks {
  /** A connection is about to open. */
  opening(): void;
  /** The API server accepted the watch (HTTP 200). */
  connected(): void;
  /** The API server said the resourceVersion is too old (410 Gone): the ListWatch relists. */
  gone(): void;
}

type WatchCallback = (phase: string, object: unknown, watchObject?: unknown) => void;
type DoneCallback = (err: unknown) => void;
type QueryParams = Record<string, string | number | boolean | undefined>;

const OBJECT_PHASES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

export class InformerWatch extends Watch {
  private endCurrent: ((err: unknown) => void) | undefined;
  private closed = false;
  private readonly connecting = new Set<Promise<AbortController>>();
  private readonly open = new Set<AbortController>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly shape: SlimShape,
    private readonly timeoutSeconds: number,
    private readonly hooks: InformerWatchHooks,
  ) {
    super(kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: QueryParams,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    if (this.closed) return new AbortController();
    this.hooks.opening();
    let finished = false;
    const connection: { controller?: AbortController } = {};
    // client-node may report the end of a connection more than once (our own
    // end, then the abort it causes): only the first report reaches the ListWatch.
    const finish = (err: unknown): void => {
      if (finished) return;
      finished = true;
      if (this.endCurrent === finish) this.endCurrent = undefined;
      // Abort here rather than rely on the ListWatch: its handle on the request can be stale after a relist.
      if (connection.controller) {
        this.open.delete(connection.controller);
        connection.controller.abort();
      }
      if (statusOf(err) === 410) this.hooks.gone();
      done(err);
    };
    this.endCurrent = finish;
    const slimming: WatchCallback = (phase, object, watchObject) => {
      // Lines still buffered from an ended connection must not reach the cache.
      if (finished) return;
      if (OBJECT_PHASES.has(phase)) {
        const slim = slimObject(object, this.shape);
        if (slim) callback(phase, slim, watchObject);
        return;
      }
      if (phase === 'ERROR' && statusOf(object) === 410) this.hooks.gone();
      callback(phase, object, watchObject);
    };
    const query = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds };
    const connecting = super.watch(path, query, slimming, finish);
    this.connecting.add(connecting);
    const controller = await connecting.finally(() => this.connecting.delete(connecting));
    connection.controller = controller;
    // Ended (or closed) while connecting: the ListWatch has moved on, so this connection must not stay open.
    if (this.closed || finished) controller.abort();
    else {
      this.open.add(controller);
      this.hooks.connected();
    }
    return controller;
  }

  /** No new connections; waits for one being opened, then aborts every open one. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.connecting]);
    for (const controller of this.open) controller.abort();
    this.open.clear();
  }

  /** Ends the open connection as if the API server had answered 410; false when none is open. */
  endWithRelist(reason: string): boolean {
    if (!this.endCurrent) return false;
    this.endCurrent(Object.assign(new Error(reason), { statusCode: 410 }));
    return true;
  }
}
