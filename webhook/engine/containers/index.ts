// The containers and volumes the injector adds: kuma-sidecar, kuma-init,
// kuma-validation, their volumes, and ContainerPatches applied to them.
export { applyContainerPatches, loadContainerPatches, type NamedPatches } from './container-patches.ts';
export { fixedParts, type FixedParts, injectedVolume } from './fixed-parts.ts';
export { newInitContainer, newValidationContainer } from './init-containers.ts';
export { asNativeSidecar, newSidecarContainer } from './sidecar-container.ts';
export { spireEnabled } from './spire.ts';
export { hostPathVolume, tpCustomVolume } from './volumes.ts';
