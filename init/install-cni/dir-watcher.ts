// Watches directories (inotify through fs.watch) and calls back, coalesced,
// when anything in them changes: the conf dir (the primary plugin rewrote its
// file), the service-account dir (kubelet swapped the projected token's
// `..data` link) and the bin dir. A directory that cannot be watched yet (not
// created) is retried on every `refresh()`; the periodic pass still covers it.
import { watch, type FSWatcher } from 'node:fs';

/** Changes closer together than this make one callback. */
const COALESCE_MS = 25;

export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly dirs: readonly string[],
    private readonly onChange: () => void,
  ) {
    this.refresh();
  }

  /** Starts watching the directories not watched yet. */
  refresh(): void {
    for (const dir of new Set(this.dirs)) {
      if (this.closed || this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => this.changed());
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(dir);
          this.changed();
        });
        this.watchers.set(dir, watcher);
      } catch {
        // Not there yet: the next refresh tries again.
      }
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private changed(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, COALESCE_MS);
  }
}
