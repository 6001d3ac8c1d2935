// The AdmissionReview envelope (admission.k8s.io/v1): reading a request body
// into a checked review, and writing the response review. Pure functions.
import type { Operation } from 'fast-json-patch';
import { WebhookError } from './errors.ts';

export const admissionApiVersion = 'admission.k8s.io/v1';

export interface GroupVersionKind {
  group?: string;
  version?: string;
  kind?: string;
}

/** The fields of `request` the webhook reads. */
export interface AdmissionRequest {
  uid: string;
  kind?: GroupVersionKind;
  subResource?: string;
  operation?: string;
  namespace?: string;
  name?: string;
  dryRun?: boolean;
  object?: unknown;
}

export interface AdmissionReview {
  apiVersion: string;
  kind: string;
  request: AdmissionRequest;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patchType?: 'JSONPatch';
  /** base64 of the RFC 6902 operations. */
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: string;
  response: AdmissionResponse;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the envelope; throws a catalogued 400 error naming what is wrong. */
export function readAdmissionReview(body: unknown): AdmissionReview {
  if (!isRecord(body)) throw new WebhookError('KI_ERR_NOT_ADMISSION_REVIEW', `body is ${describe(body)}, not an object`);
  if (body.apiVersion !== admissionApiVersion || body.kind !== 'AdmissionReview') {
    throw new WebhookError(
      'KI_ERR_NOT_ADMISSION_REVIEW',
      `got apiVersion ${JSON.stringify(body.apiVersion ?? null)} and kind ${JSON.stringify(body.kind ?? null)}`,
    );
  }
  const request = body.request;
  if (!isRecord(request)) throw new WebhookError('KI_ERR_MISSING_REQUEST');
  if (typeof request.uid !== 'string' || request.uid === '') throw new WebhookError('KI_ERR_MISSING_UID');
  return { apiVersion: body.apiVersion, kind: body.kind, request: request as unknown as AdmissionRequest };
}

/**
 * Why a review is none of the injector's business, or undefined when it is a
 * Pod CREATE. Kubernetes always sets `kind` and `operation`; a hand-written
 * review without `operation` is taken as a CREATE.
 */
export function notApplicableReason(request: AdmissionRequest): 'not_pod' | 'subresource' | 'not_create' | undefined {
  const kind = request.kind ?? (isRecord(request.object) ? { group: '', kind: request.object.kind as string } : {});
  if (kind.kind !== 'Pod' || (kind.group ?? '') !== '') return 'not_pod';
  if (request.subResource) return 'subresource';
  if (request.operation !== undefined && request.operation !== 'CREATE') return 'not_create';
  return undefined;
}

/** The pod under admission; throws a catalogued 400 error when there is none. */
export function podOf(request: AdmissionRequest): Record<string, unknown> {
  if (!isRecord(request.object)) {
    throw new WebhookError('KI_ERR_MISSING_OBJECT', `request.object is ${describe(request.object)}`);
  }
  return request.object;
}

function respond(review: AdmissionReview, response: Omit<AdmissionResponse, 'uid'>): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, ...response } };
}

/** Allowed; the patch fields are present only when there are operations. */
export function allow(review: AdmissionReview, patch: readonly Operation[] = []): AdmissionReviewResponse {
  if (patch.length === 0) return respond(review, { allowed: true });
  return respond(review, {
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  });
}

/** Denied with the injector's own message (Kubernetes shows it to the user verbatim). */
export function deny(review: AdmissionReview, message: string): AdmissionReviewResponse {
  return respond(review, { allowed: false, status: { code: 403, reason: 'Forbidden', message } });
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
