// What Fastify logs by itself. Probes and scrapes are not logged; admissions
// are logged once, by the admission route, with their uid and decision, so
// Fastify's own "incoming request" and "request completed" lines are dropped
// for them.
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);

export const admissionPath = '/inject-sidecar';

export const pathOf = (url: string): string => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

export class WebhookLogController extends LogController {
  override isLogDisabled(request: FastifyRequest): boolean {
    return quietPaths.has(pathOf(request.url));
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (pathOf(request.url) === admissionPath) return;
    super.requestCompleted(error, request, reply, metadata);
  }
}
