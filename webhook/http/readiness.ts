// Liveness and readiness. Live: the process answers. Ready: it may receive
// admissions, i.e. the cluster state has synced, a serving certificate is
// loaded, and the server is not draining for shutdown.
export interface ReadinessChecks {
  stateReady: () => boolean;
  tlsLoaded: () => boolean;
  draining: () => boolean;
}

/** The reasons the server is not ready; empty when it is. */
export function notReadyReasons(checks: ReadinessChecks): string[] {
  const reasons: string[] = [];
  if (!checks.stateReady()) reasons.push('cluster state not synced');
  if (!checks.tlsLoaded()) reasons.push('no serving certificate loaded');
  if (checks.draining()) reasons.push('shutting down');
  return reasons;
}
