// The AdmissionReview envelope (admission.k8s.io/v1): reading a request body
// into a checked review, and writing the response review. Pure functions.
import type { RecordedOperation } from '../engine/index.ts';
import { maxBodyDepth } from '../limits/index.ts';
import { nestsDeeperThan } from './body-depth.ts';
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the envelope; throws a catalogued 400 error naming what is wrong. */
export function readAdmissionReview(body: unknown): AdmissionReview {
  if (nestsDeeperThan(body, maxBodyDepth)) throw new WebhookError('KI_ERR_TOO_DEEP');
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
  // The engine looks the namespace up by name; the API server always sends a string.
  if (request.namespace !== undefined && typeof request.namespace !== 'string') {
    throw new WebhookError('KI_ERR_NOT_ADMISSION_REVIEW', `request.namespace is ${describe(request.namespace)}, not a string`);
  }
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

/**
 * The response review as JSON text, written once. Built by hand so the
 * base64 patch (most of the body) is not copied through JSON.stringify again;
 * the keys and their order are those of
 * `{ apiVersion, kind, response: { uid, ...fields } }`.
 */
function respond(review: AdmissionReview, fields: string): string {
  const head = `{"apiVersion":${JSON.stringify(review.apiVersion)},"kind":${JSON.stringify(review.kind)}`;
  return `${head},"response":{"uid":${JSON.stringify(review.request.uid)},${fields}}}`;
}

/** Allowed; the patch fields are present only when there are operations. */
export function allow(review: AdmissionReview, patch: readonly RecordedOperation[] = []): string {
  if (patch.length === 0) return respond(review, '"allowed":true');
  return allowWithPatch(review, JSON.stringify(patch));
}

/** Allowed with this JSON patch text (a non-empty array). */
export function allowWithPatch(review: AdmissionReview, patch: string): string {
  // base64 has no character that JSON escapes.
  return respond(review, `"allowed":true,"patchType":"JSONPatch","patch":"${base64Utf8(patch)}"`);
}

/**
 * base64 of the text's UTF-8 bytes. An ASCII text (its UTF-8 length is its
 * length) is the usual case: btoa encodes it straight from the string, about
 * four times faster than through a Buffer; btoa would read any other text as
 * Latin-1, so that goes through the Buffer.
 */
export function base64Utf8(text: string): string {
  return Buffer.byteLength(text) === text.length ? btoa(text) : Buffer.from(text).toString('base64');
}

/** Denied with the injector's own message (Kubernetes shows it to the user verbatim). */
export function deny(review: AdmissionReview, message: string): string {
  return respond(review, `"allowed":false,"status":${JSON.stringify({ code: 403, reason: 'Forbidden', message })}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
