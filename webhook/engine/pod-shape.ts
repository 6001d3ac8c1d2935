// A cheap structural check of the fields the injector reads, so a malformed
// pod (which an API server would never send) is refused with a clear message
// instead of failing somewhere inside the mutation.
import type { Pod } from './pod-types.ts';

const isMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;

function stringMapProblem(value: unknown, path: string): string | undefined {
  if (absent(value)) return undefined;
  if (!isMap(value)) return `${path} must be a map of strings`;
  const bad = Object.entries(value as Record<string, unknown>).find(([, v]) => typeof v !== 'string');
  return bad ? `${path}.${bad[0]} must be a string` : undefined;
}

function listProblem(value: unknown, path: string, item: (entry: unknown, at: string) => string | undefined): string | undefined {
  if (absent(value)) return undefined;
  if (!Array.isArray(value)) return `${path} must be a list`;
  for (let i = 0; i < value.length; i++) {
    const problem = item(value[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

const named = (entry: unknown, at: string): string | undefined =>
  isMap(entry) && typeof (entry as { name?: unknown }).name === 'string' ? undefined : `${at} must be an object with a name`;

function containerProblem(entry: unknown, at: string): string | undefined {
  const problem = named(entry, at);
  if (problem) return problem;
  const container = entry as Record<string, unknown>;
  for (const field of ['ports', 'volumeMounts', 'env']) {
    const fieldProblem = listProblem(container[field], `${at}.${field}`, (e, a) => (isMap(e) ? undefined : `${a} must be an object`));
    if (fieldProblem) return fieldProblem;
  }
  for (const field of ['livenessProbe', 'readinessProbe', 'startupProbe', 'securityContext']) {
    if (!absent(container[field]) && !isMap(container[field])) return `${at}.${field} must be an object`;
  }
  return undefined;
}

/** Why the pod cannot be processed, or undefined when its shape is fine. */
export function malformedPod(pod: Pod): string | undefined {
  if (!isMap(pod)) return 'the object must be a map';
  if (!absent(pod.metadata) && !isMap(pod.metadata)) return 'metadata must be a map';
  if (!isMap(pod.spec)) return 'spec must be a map';
  const spec = pod.spec as Record<string, unknown>;
  return (
    stringMapProblem(pod.metadata?.labels, 'metadata.labels') ??
    stringMapProblem(pod.metadata?.annotations, 'metadata.annotations') ??
    listProblem(spec.containers, 'spec.containers', containerProblem) ??
    listProblem(spec.initContainers, 'spec.initContainers', containerProblem) ??
    listProblem(spec.volumes, 'spec.volumes', named)
  );
}
