// A key pair read from files and re-read when they change. Kubernetes mounts a
// Secret as symlinks into a `..data` directory that the kubelet swaps in one
// rename, so a watch on the file itself dies after the first rotation: watch
// the directory instead, and re-check on a timer as a safety net (some volume
// types raise no events). A new pair replaces the old only if it parses, its
// key matches its certificate, and the certificate is valid now.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { assertCurrentlyValid, leafCertificate } from './certificate-checks.ts';
import { readKeyPair, sameKeyPair } from './key-pair.ts';
import type { KeyPair } from './key-pair.ts';
import type { KeyPairSource } from './key-pair-source.ts';

export interface KeyPairFiles {
  certFile: string;
  keyFile: string;
}

export interface WatchOptions {
  /** Periodic re-check, in ms (default 10 s). */
  recheckMs?: number;
  /** Coalesces a burst of file events into one read, in ms (default 50). */
  settleMs?: number;
  /** A changed pair that does not parse; the old pair stays in use. Reported once per content. */
  onError?: (error: Error) => void;
}

export class WatchedKeyPair implements KeyPairSource {
  private pair: KeyPair;
  private lastFailure = '';
  private readonly listeners = new Set<(pair: KeyPair) => void>();
  private readonly rejectedListeners = new Set<(error: Error) => void>();
  private readonly watchers: FSWatcher[] = [];
  private readonly timer: NodeJS.Timeout;
  private settle: NodeJS.Timeout | undefined;

  /** Reads the pair now (throws if it does not parse) and starts watching. */
  constructor(
    private readonly files: KeyPairFiles,
    private readonly options: WatchOptions = {},
  ) {
    this.pair = readKeyPair(files);
    for (const dir of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
      const watcher = watch(dir, { persistent: false }, () => this.scheduleCheck());
      watcher.on('error', () => {}); // the periodic re-check still covers a vanished directory
      this.watchers.push(watcher);
    }
    this.timer = setInterval(() => this.check(), options.recheckMs ?? 10_000).unref();
  }

  current(): KeyPair {
    return this.pair;
  }

  onChange(listener: (pair: KeyPair) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRejected(listener: (error: Error) => void): () => void {
    this.rejectedListeners.add(listener);
    return () => this.rejectedListeners.delete(listener);
  }

  /** Reads the files now; true when a new pair was taken into use. */
  check(now = new Date()): boolean {
    let next: KeyPair;
    try {
      next = readKeyPair(this.files);
      if (sameKeyPair(next, this.pair)) {
        this.lastFailure = '';
        return false;
      }
      assertCurrentlyValid(leafCertificate(next.cert), now);
    } catch (error) {
      this.reject(error as Error);
      return false;
    }
    this.lastFailure = '';
    this.pair = next;
    for (const listener of this.listeners) listener(next);
    return true;
  }

  private reject(error: Error): void {
    const failure = String(error);
    if (failure === this.lastFailure) return;
    this.lastFailure = failure;
    this.options.onError?.(error);
    for (const listener of this.rejectedListeners) listener(error);
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.settle);
    for (const watcher of this.watchers) watcher.close();
    this.listeners.clear();
    this.rejectedListeners.clear();
  }

  private scheduleCheck(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.check(), this.options.settleMs ?? 50).unref();
  }
}
