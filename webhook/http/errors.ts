// Every error the webhook answers with an HTTP error status, catalogued with a
// stable code (what tests, docs and alerts key on) and its status. The message
// is for humans and may carry details; the code never changes.
import { STATUS_CODES } from 'node:http';
import { maxBodyContainers, maxBodyDepth } from '../limits/index.ts';
import { capText } from './log-caps.ts';

export interface WebhookErrorSpec {
  readonly code: string;
  readonly statusCode: number;
  readonly message: string;
}

const catalogue = {
  /** The body is not JSON (or is proto-poisoned JSON). */
  KI_ERR_MALFORMED_JSON: { statusCode: 400, message: 'request body is not valid JSON' },
  KI_ERR_EMPTY_BODY: { statusCode: 400, message: 'request body is empty' },
  /** Valid JSON, but not an `admission.k8s.io/v1` AdmissionReview. */
  KI_ERR_NOT_ADMISSION_REVIEW: { statusCode: 400, message: 'expected an AdmissionReview of apiVersion admission.k8s.io/v1' },
  KI_ERR_MISSING_REQUEST: { statusCode: 400, message: 'AdmissionReview has no request' },
  KI_ERR_MISSING_UID: { statusCode: 400, message: 'AdmissionReview request has no uid' },
  KI_ERR_MISSING_OBJECT: { statusCode: 400, message: 'AdmissionReview request has no object' },
  /** Nested deeper than any pod can be (webhook/limits): refused before anything walks it. */
  KI_ERR_TOO_DEEP: { statusCode: 400, message: `request body nests deeper than ${maxBodyDepth} levels` },
  /** More objects and arrays than any pod the API server sends (webhook/limits): refused before it is parsed. */
  KI_ERR_TOO_MANY_OBJECTS: { statusCode: 400, message: `request body holds more than ${maxBodyContainers} objects and arrays` },
  KI_ERR_BODY_TOO_LARGE: { statusCode: 413, message: 'request body is larger than the configured limit' },
  /** The bodies in flight already fill the budget (`--max-inflight-bytes`): refused unread, with Retry-After. */
  KI_ERR_TOO_MANY_REQUESTS: { statusCode: 429, message: 'too many request bytes in flight; retry after the Retry-After delay' },
  KI_ERR_UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: 'content-type must be application/json' },
  KI_ERR_NOT_FOUND: { statusCode: 404, message: 'no such endpoint' },
  KI_ERR_METHOD_NOT_ALLOWED: { statusCode: 405, message: 'the admission endpoint takes POST only' },
  /** The HTTP parser refused the request (bad request line, bad header, ...); the connection is closed. */
  KI_ERR_BAD_REQUEST: { statusCode: 400, message: 'malformed HTTP request' },
  KI_ERR_HEADERS_TOO_LARGE: { statusCode: 431, message: 'request headers are larger than the server accepts' },
  /** The request was not received in time; the connection is closed. An info-level event. */
  KI_ERR_REQUEST_TIMEOUT: { statusCode: 408, message: 'request not received in time' },
  /** The client closed the connection before its request was read: nobody gets the answer. An info-level event. */
  KI_ERR_CLIENT_ABORTED: { statusCode: 400, message: 'the client closed the connection before sending the whole request' },
  /** The engine threw: a bug, answered with 500 so the webhook's failurePolicy decides. */
  KI_ERR_INJECTION_FAILED: { statusCode: 500, message: 'injection failed' },
  /** The cluster state has not synced yet (or the server is shutting down). */
  KI_ERR_NOT_READY: { statusCode: 503, message: 'the injector is not ready: cluster state not synced' },
  KI_ERR_INTERNAL: { statusCode: 500, message: 'internal server error' },
} as const satisfies Record<string, Omit<WebhookErrorSpec, 'code'>>;

export type WebhookErrorCode = keyof typeof catalogue;

export const webhookErrors: Readonly<Record<WebhookErrorCode, WebhookErrorSpec>> = Object.fromEntries(
  Object.entries(catalogue).map(([code, spec]) => [code, { code, ...spec }]),
) as Record<WebhookErrorCode, WebhookErrorSpec>;

export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly statusCode: number;

  constructor(code: WebhookErrorCode, detail?: string, options?: { cause?: unknown }) {
    const spec = webhookErrors[code];
    // The detail may quote the request: bounded like a log field.
    super(detail ? `${spec.message}: ${capText(detail)}` : spec.message, options);
    this.name = 'WebhookError';
    this.code = code;
    this.statusCode = spec.statusCode;
  }
}

/** Fastify's own request errors, translated into the catalogue. */
const fromFastify: Record<string, WebhookErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'KI_ERR_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'KI_ERR_EMPTY_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'KI_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'KI_ERR_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'KI_ERR_UNSUPPORTED_MEDIA_TYPE',
};

/** Node's errors for a request body the client stopped sending (it closed or reset the connection). */
const abortCodes = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Node's HTTP parser errors (`clientError`), translated into the catalogue. */
export function clientErrorCode(error: { code?: unknown }): WebhookErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'KI_ERR_REQUEST_TIMEOUT';
  // The client closed its side in the middle of a request.
  if (error.code === 'HPE_INVALID_EOF_STATE') return 'KI_ERR_CLIENT_ABORTED';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'KI_ERR_HEADERS_TOO_LARGE';
  return 'KI_ERR_BAD_REQUEST';
}

/** Any thrown value as a catalogued error; unknown errors become KI_ERR_INTERNAL (the original as its cause). */
export function toWebhookError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in fromFastify) return new WebhookError(fromFastify[code]!);
  if (typeof code === 'string' && abortCodes.has(code)) return new WebhookError('KI_ERR_CLIENT_ABORTED', undefined, { cause: error });
  if (error instanceof SyntaxError) return new WebhookError('KI_ERR_MALFORMED_JSON', error.message);
  return new WebhookError('KI_ERR_INTERNAL', undefined, { cause: error });
}

/** Events of the client's making (it left, or was too slow): logged at info, with no stack. */
export function isClientEvent(error: WebhookError): boolean {
  return error.code === 'KI_ERR_CLIENT_ABORTED' || error.code === 'KI_ERR_REQUEST_TIMEOUT';
}

/** The error body, shaped like Fastify's own: `{ statusCode, code, error, message }`. */
export function errorBody(error: WebhookError): { statusCode: number; code: string; error: string; message: string } {
  return { statusCode: error.statusCode, code: error.code, error: STATUS_CODES[error.statusCode] ?? 'Error', message: error.message };
}
