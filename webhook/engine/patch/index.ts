// The copy-on-write pod that records each mutation as a JSON-patch operation.
export { PatchRecorder, type Path, pointer, type RecordedOperation } from './patch-recorder.ts';
