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

/** A problem of each field of `value` that has a check, in order. */
function fieldsProblem(value: Record<string, unknown>, checks: Record<string, (field: unknown) => string | undefined>): string | undefined {
  for (const [field, check] of Object.entries(checks)) {
    const problem = check(value[field]);
    if (problem) return `.${field}${problem}`;
  }
  return undefined;
}

const optionalString = (value: unknown): string | undefined => (absent(value) || typeof value === 'string' ? undefined : ' must be a string');
/** A port as Kubernetes' IntOrString: a whole number or a name. */
const port = (value: unknown): string | undefined => (absent(value) || Number.isInteger(value) || typeof value === 'string' ? undefined : ' must be a port number or name');
const wholeNumber = (value: unknown): string | undefined => (absent(value) || Number.isInteger(value) ? undefined : ' must be a whole number');

/** An object whose fields pass `checks` (the fields the injector reads), or absent. */
const objectWith =
  (checks: Record<string, (field: unknown) => string | undefined>) =>
  (value: unknown): string | undefined => {
    if (absent(value)) return undefined;
    return isMap(value) ? fieldsProblem(value as Record<string, unknown>, checks) : ' must be an object';
  };

/** A list item: an object (never null) whose fields pass `check`. */
const entryOf =
  (check: (value: unknown) => string | undefined) =>
  (entry: unknown): string | undefined =>
    isMap(entry) ? check(entry) : ' must be an object';

const header = entryOf(objectWith({ name: optionalString, value: optionalString }));

/** The probe handlers the injector rewrites (virtual probes, application probe proxy). */
const probe = objectWith({
  httpGet: objectWith({ path: optionalString, host: optionalString, scheme: optionalString, port, httpHeaders: (value) => listProblem(value, header) }),
  tcpSocket: objectWith({ host: optionalString, port }),
  grpc: objectWith({ port: wholeNumber, service: optionalString }),
});

const containerPort = entryOf(objectWith({ name: optionalString, containerPort: wholeNumber, protocol: optionalString }));

const containerChecks: Record<string, (field: unknown) => string | undefined> = {
  ports: (value) => listProblem(value, containerPort),
  volumeMounts: (value) => listProblem(value, object),
  env: (value) => listProblem(value, object),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  securityContext: objectWith({}),
};

function containerProblem(entry: unknown): string | undefined {
  return named(entry) ?? fieldsProblem(entry as Record<string, unknown>, containerChecks);
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
