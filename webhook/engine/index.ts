// The injection engine's face: a context made once per injector config, and
// injectPod, a pure function from a pod to an outcome (inject, skip, refuse).
export { type ContextInputs, createInjectionContext, type InjectionContext } from './context.ts';
export { injectPod } from './inject-pod.ts';
export type { InjectionOutcome } from './outcome.ts';
export type { RecordedOperation } from './patch/index.ts';
export {
  type Container,
  DEFAULT_MESH,
  getEnabled,
  type HTTPHeader,
  INIT_CONTAINER,
  Keys,
  type Pod,
  type Probe,
  SIDECAR_CONTAINER,
  VALIDATION_CONTAINER,
} from './pod/index.ts';
export { podNamespace } from './precheck/index.ts';
