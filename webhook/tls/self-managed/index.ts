// Self-managed mode (`serve --tls-mode self-managed`): the webhook generates
// its CA and serving certificate, keeps them in a Secret, keeps its own
// MutatingWebhookConfiguration's caBundle in step, and rotates with overlap.
// SelfManagedTls is a KeyPairSource: hand it to buildWebhookServer as `tls`.
export { SelfManagedTls } from './self-managed-tls.ts';
export type { SelfManagedTlsOptions, TlsLogger } from './self-managed-tls.ts';
export { ConflictError, kubernetesCertificateApi } from './certificate-api.ts';
export type { CertificateApi, CertificateObjects, StoredSecret, WebhookTrust } from './certificate-api.ts';
export { defaultRotationPolicy, planRotation } from './rotation-plan.ts';
export type { RotationPolicy, RotationStep } from './rotation-plan.ts';
export { trustedBundle } from './tls-state.ts';
export type { TlsState } from './tls-state.ts';
export { parseSecretReference, startSelfManagedTls } from './start-in-cluster.ts';
export type { SelfManagedFlags } from './start-in-cluster.ts';
