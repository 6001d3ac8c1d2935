// How many bytes of admission bodies the server holds at once. A body costs
// several times its size while it is parsed and answered (up to about 8 MB of
// heap per MiB at the object bound), so the bodies in flight, not one request,
// decide the peak memory: above this budget a request is refused at once with
// 429 and Retry-After, before its body is read, so the container is not
// OOM-killed (which would fail every admission, not only the excess).
// A request reserves its declared Content-Length (the body limit when it has
// none: a chunked body may grow to it) until its response closes, whether it
// was answered, failed or aborted by the client.

export class InflightBudget {
  private used = 0;

  /** `maxBytes` must hold one body at the body limit, so a lone request always fits. */
  constructor(readonly maxBytes: number) {}

  /** Reserves `bytes`; false (and nothing reserved) when the budget cannot hold them now. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  /** Bytes reserved now. */
  inUse(): number {
    return this.used;
  }
}

/** What a request reserves: its declared length, capped at the body limit (a larger one gets 413 unread). */
export function reservedBytes(contentLength: string | undefined, bodyLimit: number): number {
  const declared = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : bodyLimit;
  return Math.min(declared, bodyLimit);
}
