// One admission decision: a checked AdmissionReview in, the response review and
// its metric labels out. The engine comes in as a function, so this file knows
// the InjectionOutcome contract and nothing of how injection works.
import type { InjectionOutcome } from '../engine/index.ts';
import { apiServerAnnotationBytes, maxPatchBytes } from '../limits/index.ts';
import { allow, allowWithPatch, deny, notApplicableReason, podOf } from './admission-review.ts';
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
  const oversized = annotationsTooLong(pod);
  if (oversized) return refuse(review, 'annotations_too_large', oversized);

  let outcome: InjectionOutcome;
  try {
    outcome = deps.inject(pod, review.request.namespace);
  } catch (error) {
    throw injectionFailed(error);
  }
  return decide(review, outcome);
}

/** The engine's error is the cause, so the log keeps its stack. */
function injectionFailed(error: unknown): WebhookError {
  return new WebhookError('KI_ERR_INJECTION_FAILED', error instanceof Error ? error.message : String(error), { cause: error });
}

function refuse(review: AdmissionReview, reason: string, message: string): AdmissionDecision {
  return { body: deny(review, message), labels: { result: 'refused', reason }, message };
}

/**
 * The API server's own message when the pod's annotations are over its limit
 * (it checks only after the mutating webhooks ran), or undefined. Checked
 * before the engine builds anything from them.
 */
function annotationsTooLong(pod: Record<string, unknown>): string | undefined {
  const annotations = (pod.metadata as { annotations?: unknown } | undefined)?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  if (bytes <= apiServerAnnotationBytes) return undefined;
  return `metadata.annotations: Too long: must have at most ${apiServerAnnotationBytes} bytes (this pod's have ${bytes})`;
}

function decide(review: AdmissionReview, outcome: InjectionOutcome): AdmissionDecision {
  switch (outcome.result) {
    case 'injected': {
      if (outcome.patch.length === 0) return { body: allow(review), labels: { result: 'injected', reason: '' }, warnings: outcome.warnings };
      const patch = JSON.stringify(outcome.patch);
      // UTF-8 takes at most 3 bytes per UTF-16 unit: the byte count is needed only for a long text.
      if (patch.length * 3 > maxPatchBytes && Buffer.byteLength(patch) > maxPatchBytes) {
        return refuse(review, 'patch_too_large', `the injection patch would be ${Buffer.byteLength(patch)} bytes, over the webhook's limit of ${maxPatchBytes}`);
      }
      return { body: allowWithPatch(review, patch), labels: { result: 'injected', reason: '' }, warnings: outcome.warnings };
    }
    case 'skipped':
      return { body: allow(review), labels: { result: 'skipped', reason: outcome.reason }, warnings: outcome.warnings };
    case 'refused':
      return refuse(review, outcome.reason, outcome.message);
  }
}
