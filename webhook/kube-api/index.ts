// The Kubernetes API client, for every part of the webhook that talks to the
// API server (the watch caches, self-managed TLS, serve): reading its errors,
// and ending every connection it opened.
export { describeApiError, statusOf } from './api-error.ts';
export { trackConnections, type ClientConnections } from './client-connections.ts';
