// One admission decision: a checked AdmissionReview in, the response review and
// its metric labels out. The engine comes in as a function, so this file knows
// the InjectionOutcome contract and nothing of how injection works.
import type { InjectionOutcome } from '../engine/index.ts';
import { allow, deny, notApplicableReason, podOf } from './admission-review.ts';
import type { AdmissionReview } from './admission-review.ts';
import { WebhookError } from './errors.ts';
import type { AdmissionLabels } from './metrics.ts';

/**
 * Injects one pod. `namespace` is the review's `request.namespace`, which
 * Kubernetes sets even when the pod itself names none (Kuma copies it into the pod).
 */
export type InjectFn = (pod: Record<string, unknown>, namespace: string | undefined) => InjectionOutcome;

export interface AdmissionDecision {
  /** The response AdmissionReview, already serialised (application/json). */
  body: string;
  labels: AdmissionLabels;
  /** The refusal's message, for the log line. */
  message?: string;
  /** Kuma's warnings about the pod: logged, as Kuma does, not returned to the client. */
  warnings?: string[];
}

export interface AdmitDeps {
  inject: InjectFn;
  /** False until the cluster state has synced: never inject from an empty cache. */
  ready: () => boolean;
}

/** The decision for one review, synchronous as the engine is. */
export function admit(review: AdmissionReview, deps: AdmitDeps): AdmissionDecision {
  const ignored = notApplicableReason(review.request);
  if (ignored) return { body: allow(review), labels: { result: 'ignored', reason: ignored } };

  const pod = podOf(review.request);
  if (!deps.ready()) throw new WebhookError('KI_ERR_NOT_READY');

  let outcome: InjectionOutcome;
  try {
    outcome = deps.inject(pod, review.request.namespace);
  } catch (error) {
    throw new WebhookError('KI_ERR_INJECTION_FAILED', error instanceof Error ? error.message : String(error));
  }
  return decide(review, outcome);
}

function decide(review: AdmissionReview, outcome: InjectionOutcome): AdmissionDecision {
  switch (outcome.result) {
    case 'injected':
      return { body: allow(review, outcome.patch), labels: { result: 'injected', reason: '' }, warnings: outcome.warnings };
    case 'skipped':
      return { body: allow(review), labels: { result: 'skipped', reason: outcome.reason }, warnings: outcome.warnings };
    case 'refused':
      return { body: deny(review, outcome.message), labels: { result: 'refused', reason: outcome.reason }, message: outcome.message };
  }
}
