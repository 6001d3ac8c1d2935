// A cheap structural check of the fields the injector reads, so a malformed
// pod (which an API server would never send) is refused with a clear message
// instead of failing somewhere inside the mutation. Each check answers with
// the problem relative to what it was given (` must be ...`, or `.field...`),
// so a path is written only for a pod that has a problem, not for every item
// of every list of every pod.
import type { Pod } from './pod-types.ts';

const isMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;

function stringMapProblem(value: unknown): string | undefined {
  if (absent(value)) return undefined;
  if (!isMap(value)) return ' must be a map of strings';
  const map = value as Record<string, unknown>;
  for (const key in map) if (typeof map[key] !== 'string') return `.${key} must be a string`;
  return undefined;
}

function listProblem(value: unknown, item: (entry: unknown) => string | undefined): string | undefined {
  if (absent(value)) return undefined;
  if (!Array.isArray(value)) return ' must be a list';
  for (let i = 0; i < value.length; i++) {
    const problem = item(value[i]);
    if (problem) return `[${i}]${problem}`;
  }
  return undefined;
}

const object = (entry: unknown): string | undefined => (isMap(entry) ? undefined : ' must be an object');

const named = (entry: unknown): string | undefined =>
  isMap(entry) && typeof (entry as { name?: unknown }).name === 'string' ? undefined : ' must be an object with a name';

const containerLists = ['ports', 'volumeMounts', 'env'];
const containerObjects = ['livenessProbe', 'readinessProbe', 'startupProbe', 'securityContext'];

function containerProblem(entry: unknown): string | undefined {
  const problem = named(entry);
  if (problem) return problem;
  const container = entry as Record<string, unknown>;
  for (const field of containerLists) {
    const fieldProblem = listProblem(container[field], object);
    if (fieldProblem) return `.${field}${fieldProblem}`;
  }
  for (const field of containerObjects) {
    if (!absent(container[field]) && !isMap(container[field])) return `.${field} must be an object`;
  }
  return undefined;
}

/** `path` followed by the problem found there, if any. */
const at = (path: string, problem: string | undefined): string | undefined => (problem === undefined ? undefined : `${path}${problem}`);

/** Why the pod cannot be processed, or undefined when its shape is fine. */
export function malformedPod(pod: Pod): string | undefined {
  if (!isMap(pod)) return 'the object must be a map';
  if (!absent(pod.metadata) && !isMap(pod.metadata)) return 'metadata must be a map';
  if (!absent(pod.metadata?.namespace) && typeof pod.metadata?.namespace !== 'string') return 'metadata.namespace must be a string';
  if (!isMap(pod.spec)) return 'spec must be a map';
  const spec = pod.spec as Record<string, unknown>;
  return (
    at('metadata.labels', stringMapProblem(pod.metadata?.labels)) ??
    at('metadata.annotations', stringMapProblem(pod.metadata?.annotations)) ??
    at('spec.containers', listProblem(spec.containers, containerProblem)) ??
    at('spec.initContainers', listProblem(spec.initContainers, containerProblem)) ??
    at('spec.volumes', listProblem(spec.volumes, named))
  );
}
