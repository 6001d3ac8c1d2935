// The webhook's HTTPS server: POST /inject-sidecar, probes and metrics.
// Everything it acts on comes in as a dependency (the engine as a function,
// the cluster state, the key pair source), so tests and the CLI build it the
// same way.
import Fastify from 'fastify';
import type { FastifyLoggerOptions, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { readAdmissionReview } from './admission-review.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { admit } from './admit.ts';
import type { AdmissionDecision, InjectFn } from './admit.ts';
import { WebhookError, clientErrorCode, errorBody, isClientEvent, toWebhookError } from './errors.ts';
import { InflightBudget, reservedBytes } from './inflight-budget.ts';
import { admissionJsonParser } from './json-body.ts';
import { capText, cappedLoggerOptions } from './log-caps.ts';
import { WebhookLogController, admissionPath, pathOf } from './log-controller.ts';
import { WebhookMetrics } from './metrics.ts';
import type { AdmissionLabels } from './metrics.ts';
import { notReadyReasons } from './readiness.ts';
import { defaultMaxInflightBytes } from '../limits/index.ts';
import type { ClusterState } from '../state/index.ts';
import { type KeyPairSource, secureContextOptions } from '../tls/index.ts';

/** controller-runtime's limit: a Pod plus oldObject can approach 1.5 MiB each. */
export const defaultBodyLimit = 7 * 1024 * 1024;

/** The API server reuses webhook connections; keep them longer than its idle timeout. */
export const keepAliveTimeoutMs = 90_000;

/** The API server gives up after the webhook's timeoutSeconds (at most 30 s). */
export const requestTimeoutMs = 30_000;

const jsonContentType = 'application/json; charset=utf-8';

/** Retry-After of a 429: the bodies in flight are answered in well under a second. */
const retryAfterSeconds = 1;

const isAdmission = (url: string | undefined): boolean => url !== undefined && pathOf(url) === admissionPath;

export interface WebhookServerOptions {
  inject: InjectFn;
  state: Pick<ClusterState, 'ready'>;
  tls: KeyPairSource;
  /** Largest accepted AdmissionReview, in bytes (default 7 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** Bytes of admission bodies held at once (default webhook/limits); beyond, 429. At least `bodyLimit`. */
  maxInflightBytes?: number;
  /** Pino options (level, stream); false for no logs. Default: info to stdout. */
  logger?: (FastifyLoggerOptions & { stream?: NodeJS.WritableStream }) | false;
  metrics?: WebhookMetrics;
  /** True once shutdown has begun: readiness fails while admissions are still served. */
  draining?: () => boolean;
  /** Time to receive a whole request, in ms (default 30 s); then 408 and the connection closes. */
  requestTimeout?: number;
}

/** What the admission route learnt about a request, for its one log line and the metrics. */
interface AdmissionRecord {
  request?: AdmissionRequest;
  labels?: AdmissionLabels;
  message?: string;
  warnings?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    admission?: AdmissionRecord;
  }
}

export function buildWebhookServer(options: WebhookServerOptions) {
  const metrics = options.metrics ?? new WebhookMetrics();
  const draining = options.draining ?? (() => false);
  const readiness = { stateReady: () => options.state.ready(), tlsLoaded: () => Boolean(options.tls.current()), draining };

  const requestTimeout = options.requestTimeout ?? requestTimeoutMs;
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const budget = new InflightBudget(options.maxInflightBytes ?? defaultMaxInflightBytes);
  if (budget.maxBytes < bodyLimit) throw new RangeError(`the in-flight budget (${budget.maxBytes} bytes) must hold one body at the body limit (${bodyLimit} bytes)`);
  metrics.readInflightBytesFrom(() => budget.inUse());
  const app = Fastify({
    // Node looks for timed-out requests every connectionsCheckingInterval (30 s by default, which
    // would let a request live twice its timeout).
    https: { ...secureContextOptions(options.tls.current()), requestTimeout, connectionsCheckingInterval: Math.min(Math.max(requestTimeout / 4, 50), 5_000) },
    logger: options.logger === false ? false : cappedLoggerOptions(options.logger ?? { level: 'info' }),
    logController: new WebhookLogController(),
    // Admissions log one line through the server's logger, with reqId as a field:
    // no child logger is built per admission. Other requests keep Fastify's child.
    childLoggerFactory: (logger, bindings, childOptions, raw) =>
      isAdmission(raw.url) ? logger : logger.child(bindings, childOptions),
    keepAliveTimeout: keepAliveTimeoutMs,
    requestTimeout,
    bodyLimit,
    return503OnClosing: true,
    clientErrorHandler(error, socket) {
      // Fastify calls it bound to the instance.
      answerClientError((this as unknown as { log: ClientErrorLog }).log, error, socket);
    },
  });

  const unsubscribe = options.tls.onChange((pair) => {
    // Only new connections get the new certificate; open ones keep theirs.
    app.server.setSecureContext(secureContextOptions(pair));
    metrics.observeCertificateReload('loaded');
    app.log.info('serving certificate reloaded');
  });
  const unsubscribeRejected = options.tls.onRejected?.((error) => {
    metrics.observeCertificateReload('refused');
    app.log.error({ err: error }, 'new serving certificate refused; keeping the old one');
  });
  app.addHook('onClose', (_instance, done) => {
    unsubscribe();
    unsubscribeRejected?.();
    done();
  });

  // What the admission route learnt travels on the request itself (a decorator keeps one object
  // shape). A WeakMap keyed by request made every scavenge slower and promoted in-flight requests
  // to the old space: 6 times more full collections under load (docs/benchmarks.md).
  app.decorateRequest('admission', undefined);

  // JSON only: anything else is 415, not parsed as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, admissionJsonParser(app.getDefaultJsonParser('error', 'error')));

  app.setErrorHandler((thrown, request, reply) => {
    const error = toWebhookError(thrown);
    const record = request.admission ?? {};
    record.labels = { result: resultOfError(error), reason: error.code };
    record.message = error.message;
    request.admission = record;
    // The client is gone: there will be no response, nor its log line. One info line, no stack.
    if (isClientEvent(error)) request.log.info({ reqId: request.id, reason: error.code, uid: record.request?.uid }, error.message);
    // The engine's own error (the cause) keeps its stack in the log; the answer has only the message.
    else if (error.statusCode >= 500) request.log.error({ reqId: request.id, err: error, code: error.code, uid: record.request?.uid }, error.message);
    return reply.code(error.statusCode).send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    // The admission path exists, only for POST: say so (405 with Allow), not 404.
    const wrongMethod = request.url.split('?')[0] === admissionPath;
    const error = new WebhookError(wrongMethod ? 'KI_ERR_METHOD_NOT_ALLOWED' : 'KI_ERR_NOT_FOUND');
    if (wrongMethod) void reply.header('allow', 'POST');
    return reply.code(error.statusCode).send(errorBody(error));
  });

  const admitDeps = { inject: options.inject, ready: readiness.stateReady };
  const answer = (reply: FastifyReply, record: AdmissionRecord, decision: AdmissionDecision): void => {
    record.labels = decision.labels;
    record.message = decision.message;
    record.warnings = decision.warnings;
    // Already JSON: with the content type set, Fastify sends the string as it is.
    reply.type(jsonContentType).send(decision.body);
  };
  // The admission route's own hook (no per-request route check), a callback rather than async: no promise per response.
  const recordAdmission = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const record = request.admission ?? {};
    const labels = record.labels ?? { result: 'error', reason: 'KI_ERR_INTERNAL' };
    metrics.observeAdmission(labels, record.request?.dryRun === true, reply.elapsedTime / 1000);
    logAdmission(request, reply, record, labels);
    done();
  };
  // Before the body is read. Released when the response closes: answered, failed, timed out or aborted.
  const reserveBody = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const bytes = reservedBytes(request.headers['content-length'], bodyLimit);
    if (budget.tryReserve(bytes)) {
      reply.raw.once('close', () => budget.release(bytes));
      return done();
    }
    const error = new WebhookError('KI_ERR_TOO_MANY_REQUESTS');
    request.admission = { labels: { result: 'throttled', reason: error.code }, message: error.message };
    // The unread body is drained by Node, not buffered, and the connection stays usable.
    void reply.code(error.statusCode).header('retry-after', String(retryAfterSeconds)).send(errorBody(error));
  };
  // Synchronous, as the engine is: no promise per admission (a throw still reaches the error handler).
  app.post(admissionPath, { onRequest: reserveBody, onResponse: recordAdmission }, (request, reply) => {
    const review = readAdmissionReview(request.body);
    const record: AdmissionRecord = { request: review.request };
    request.admission = record;
    answer(reply, record, admit(review, admitDeps));
  });


  app.get('/healthz', (_request, reply) => reply.send('ok\n'));
  app.get('/readyz', async (_request, reply) => {
    const reasons = notReadyReasons(readiness);
    if (reasons.length === 0) return 'ok\n';
    return reply.code(503).send(`not ready: ${reasons.join(', ')}\n`);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.exposition()));

  return app;
}

export type WebhookServer = ReturnType<typeof buildWebhookServer>;

function resultOfError(error: WebhookError): string {
  if (isClientEvent(error)) return 'aborted';
  if (error.statusCode === 503) return 'unavailable';
  return error.statusCode < 500 ? 'invalid' : 'error';
}

/** One line per admission, with the uid (when the review had one) and the decision. */
function logAdmission(request: FastifyRequest, reply: FastifyReply, record: AdmissionRecord, labels: AdmissionLabels): void {
  const object = record.request?.object as { metadata?: { name?: string; generateName?: string } } | undefined;
  // reqId and uid are fields of this line rather than of a per-request child logger: cheaper, same JSON.
  const fields = {
    reqId: request.id,
    uid: record.request?.uid,
    namespace: record.request?.namespace,
    pod: object?.metadata?.name ?? object?.metadata?.generateName,
    operation: record.request?.operation,
    dryRun: record.request?.dryRun === true,
    result: labels.result,
    reason: labels.reason || undefined,
    message: record.message,
    warnings: record.warnings?.length ? record.warnings : undefined,
    statusCode: reply.statusCode,
    responseTime: reply.elapsedTime,
  };
  if (reply.statusCode >= 500) reply.log.error(fields, 'admission failed');
  else if (labels.result === 'aborted') reply.log.info(fields, 'admission request not completed by the client');
  else if (reply.statusCode >= 400) reply.log.warn(fields, 'admission request rejected');
  else if (fields.warnings) reply.log.warn(fields, 'admission with warnings');
  else reply.log.info(fields, 'admission');
}

/**
 * Node's HTTP parser refused a request (bad request line, headers over the
 * limit) or the request timed out. The answer says `Connection: close` and
 * the socket is ended, not destroyed: a keep-alive client then opens a new
 * connection for its next request instead of sending it into a reset
 * (Fastify's default destroys the socket without saying so). Later errors of
 * the same socket, while the client reads the answer, are ignored.
 */
type ClientErrorLog = { info: (fields: object, message: string) => void };

function answerClientError(log: ClientErrorLog, thrown: Error & { code?: unknown }, socket: Socket): void {
  if (thrown.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
  const error = new WebhookError(clientErrorCode(thrown));
  if (error.code === 'KI_ERR_CLIENT_ABORTED') {
    // Nobody to answer; a request it interrupted is logged by its route.
    socket.destroy();
    return;
  }
  log.info({ code: error.code, parserError: capText(typeof thrown.code === 'string' ? thrown.code : thrown.message, 64), remoteAddress: socket.remoteAddress }, error.message);
  // Node's own rule: write nothing into a response that has already begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(error));
  const status = `${error.statusCode} ${errorBody(error).error}`;
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: ${jsonContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  // A client that never closes its side does not hold the socket.
  setTimeout(() => socket.destroy(), 5_000).unref();
}
