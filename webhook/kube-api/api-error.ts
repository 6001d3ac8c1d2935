// Reading errors from client-node: watch failures carry `statusCode`, API
// client failures are ApiException with a numeric `code` and the Status body as
// a JSON string; network failures have neither.

export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** One line: the HTTP status and the API server's Status message when there is one. */
export function describeApiError(err: unknown): string {
  const status = statusOf(err);
  const body = (err as { body?: unknown } | null)?.body;
  if (status !== undefined && typeof body === 'string') {
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === 'string') return `HTTP ${status}: ${message}`;
    } catch {
      // not a Status body: fall through
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return status === undefined || message.includes(String(status)) ? message : `HTTP ${status}: ${message}`;
}
