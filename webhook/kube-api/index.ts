// Reading the errors of the Kubernetes API client, for every part of the
// webhook that talks to the API server (the watch caches, self-managed TLS).
export { describeApiError, statusOf } from './api-error.ts';
