// The HTTPS admission webhook: the server, the admission decision and the
// error catalogue.
export type { AdmissionDecision, InjectFn } from './admit.ts';
export { type WebhookErrorCode, webhookErrors, type WebhookErrorSpec } from './errors.ts';
export { admissionPath } from './log-controller.ts';
export { type AdmissionLabels, WebhookMetrics } from './metrics.ts';
export { buildWebhookServer, defaultBodyLimit, keepAliveTimeoutMs, type WebhookServer, type WebhookServerOptions } from './server.ts';
