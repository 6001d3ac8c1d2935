// What an injection adds to a pod, read off the pod before and after (so it
// describes what the engine really did, not what it is expected to do).
import type { Operation } from 'fast-json-patch';

type Json = Record<string, unknown>;

export interface AddedContainer {
  name: string;
  image: string;
  /** Where it lands: `containers[0]`, `initContainers[2]`, ... */
  position: string;
  /** `restartPolicy: Always` in initContainers: a Kubernetes native sidecar. */
  nativeSidecar: boolean;
}

export interface ProbeRewrite {
  container: string;
  probe: 'livenessProbe' | 'readinessProbe' | 'startupProbe';
  before: string;
  after: string;
}

export interface Additions {
  containers: AddedContainer[];
  volumes: string[];
  /** Keys whose value was added or changed, with the new value. */
  annotations: Record<string, string>;
  labels: Record<string, string>;
  probeRewrites: ProbeRewrite[];
  patchOperations: number;
}

const probeKinds = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** A scalar field as text (numbers and named ports alike); absent is empty. */
const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const asMap = (value: unknown): Record<string, string> =>
  typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};

export function additions(before: Json, after: Json, patch: readonly Operation[]): Additions {
  const specBefore = asMap(before.spec) as unknown as Json;
  const specAfter = asMap(after.spec) as unknown as Json;
  const containers: AddedContainer[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    const existing = new Set(asArray(specBefore[list]).map((c) => c.name));
    asArray(specAfter[list]).forEach((c, index) => {
      if (existing.has(c.name)) return;
      containers.push({
        name: String(c.name),
        image: text(c.image),
        position: `${list}[${index}]`,
        nativeSidecar: list === 'initContainers' && c.restartPolicy === 'Always',
      });
    });
  }
  const volumesBefore = new Set(asArray(specBefore.volumes).map((v) => v.name));
  return {
    containers,
    volumes: asArray(specAfter.volumes)
      .map((v) => String(v.name))
      .filter((name) => !volumesBefore.has(name)),
    annotations: changedEntries(asMap(before.metadata).annotations, asMap(after.metadata).annotations),
    labels: changedEntries(asMap(before.metadata).labels, asMap(after.metadata).labels),
    probeRewrites: probeRewrites(specBefore, specAfter),
    patchOperations: patch.length,
  };
}

function changedEntries(before: unknown, after: unknown): Record<string, string> {
  const old = asMap(before);
  return Object.fromEntries(Object.entries(asMap(after)).filter(([key, value]) => old[key] !== value));
}

/** Probes of the app's containers (and init containers) whose handler changed. */
function probeRewrites(before: Json, after: Json): ProbeRewrite[] {
  const rewrites: ProbeRewrite[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const byName = new Map(asArray(before[list]).map((c) => [c.name, c]));
    for (const container of asArray(after[list])) {
      const original = byName.get(container.name);
      if (!original) continue;
      for (const probe of probeKinds) {
        const was = describeProbe(original[probe]);
        const now = describeProbe(container[probe]);
        if (was !== now) rewrites.push({ container: String(container.name), probe, before: was, after: now });
      }
    }
  }
  return rewrites;
}

/** A probe's handler in one line: `httpGet :8080/healthz`, `tcpSocket :http`, `grpc :5678 service=x`, `exec`. */
export function describeProbe(probe: unknown): string {
  if (typeof probe !== 'object' || probe === null) return 'none';
  const p = probe as Json;
  if (p.httpGet) {
    const h = p.httpGet as Json;
    const scheme = h.scheme && h.scheme !== 'HTTP' ? ` ${text(h.scheme)}` : '';
    const headers = asArray(h.httpHeaders).map((x) => `${text(x.name)}: ${text(x.value)}`);
    return `httpGet${scheme} :${text(h.port)}${text(h.path)}${headers.length ? ` [${headers.join(', ')}]` : ''}`;
  }
  if (p.tcpSocket) return `tcpSocket :${text((p.tcpSocket as Json).port)}`;
  if (p.grpc) {
    const g = p.grpc as Json;
    return `grpc :${text(g.port)}${g.service ? ` service=${text(g.service)}` : ''}`;
  }
  if (p.exec) return 'exec';
  return 'other';
}
