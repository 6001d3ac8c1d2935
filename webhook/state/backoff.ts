// Delay before restarting a failed informer: exponential, capped, with a
// little jitter so several injector replicas do not hammer the API server in step.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * Delay for the `attempt`-th consecutive failure (1-based). `random` in [0, 1)
 * adds up to 20% on top, so delays never decrease while below the cap.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number = Math.random()): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.min(policy.maxMs, Math.round(base * (1 + 0.2 * random)));
}
