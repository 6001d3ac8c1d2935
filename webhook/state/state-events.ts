// What the informer-backed state reports, for logs and metrics. The state
// itself never depends on anyone listening.

export type RelistReason =
  /** The watch resourceVersion expired (HTTP 410 Gone). */
  | 'gone'
  /** The periodic relist (bounds how stale a silently dead watch can leave the cache). */
  | 'periodic'
  /** A restart after an error in the list itself. */
  | 'restart';

export type StateEvent =
  /** An API request was made (every list and every watch connection). */
  | { type: 'api-request'; resource: string; verb: 'list' | 'watch' }
  /** The first list of a resource reached the cache. */
  | { type: 'synced'; resource: string; objects: number }
  /** Every resource has synced: `ready()` is now true. */
  | { type: 'ready' }
  /** A later list replaced the cache contents. */
  | { type: 'relisted'; resource: string; reason: RelistReason; objects: number }
  /** A list or watch failed; the informer restarts after `retryInMs`. */
  | {
      type: 'watch-error';
      resource: string;
      message: string;
      /** HTTP status, when the API server answered one. */
      status?: number;
      /** The resource is not served (404): for Kuma's resources, the CRDs are not installed. */
      missing: boolean;
      /** Consecutive failures so far. */
      attempt: number;
      retryInMs: number;
    };

export type StateEventListener = (event: StateEvent) => void;
