// At most `limit` actions in any window of `windowMs` (a sliding log of the
// last actions' times). A token bucket of the same rate would allow up to
// twice the limit inside one window (a full bucket, then the refill); the
// race repair promises "at most N pods per minute", so it counts exactly.
// The installer uses it too, to bound re-chaining against a primary plugin
// that rewrites its file on every change.
export class SlidingWindowLimit {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot when one is free; false when the window is full. */
  tryTake(): boolean {
    this.forgetOld();
    if (this.times.length >= this.limit) return false;
    this.times.push(this.now());
    return true;
  }

  /** Milliseconds until a slot frees up (0 when one is free). */
  msUntilFree(): number {
    this.forgetOld();
    const oldest = this.times[0];
    return this.times.length < this.limit || oldest === undefined ? 0 : oldest + this.windowMs - this.now();
  }

  private forgetOld(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.times.length && this.times[0]! <= cutoff) this.times.shift();
  }
}
