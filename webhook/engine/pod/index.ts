// The pod as the engine reads it: JSON types, the shape check, Kuma's
// annotation keys and typed annotation reads.
export type { Container, EnvVar, HTTPHeader, Json, Pod, Probe, VolumeMount } from './pod-types.ts';
export { malformedPod } from './pod-shape.ts';
export { copyJson } from './copy-json.ts';
export { AnnotationError, getBoolean, getEnabled, getList, getMap, getString, getUint32, splitAnnotation, type StringMap } from './annotations.ts';
export { DEFAULT_MESH, INIT_CONTAINER, Keys, KUMA_CNI, SIDECAR_CONTAINER, VALIDATION_CONTAINER } from './annotation-keys.ts';
