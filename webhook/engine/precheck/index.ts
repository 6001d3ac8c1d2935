// Whether a pod gets a sidecar, and in which mesh.
export { HOST_NETWORK_MESSAGE, podNamespace, precheck, type PrecheckResult } from './precheck.ts';
