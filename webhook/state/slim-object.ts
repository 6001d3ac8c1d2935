// What the caches keep of an API object: only the fields the injector reads,
// copied into plain JSON. client-node returns listed objects as model instances
// (Date timestamps) and watched ones as raw JSON; slimming both the same way
// keeps the cache uniform, small, and safe to serialise or diff.
import type { KubeObject, ObjectMeta } from './cluster-state.ts';

export interface SlimShape {
  apiVersion: string;
  kind: string;
  /** Top-level fields kept besides metadata (e.g. `spec`, `data`). */
  keep: readonly string[];
}

type Loose = Record<string, unknown>;

const isRecord = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

/** The slim copy of `object`, or undefined when it has no name (not a usable object). */
export function slimObject(object: unknown, shape: SlimShape): KubeObject | undefined {
  if (!isRecord(object) || !isRecord(object.metadata)) return undefined;
  const meta = object.metadata;
  if (typeof meta.name !== 'string' || meta.name === '') return undefined;
  const metadata: ObjectMeta & { resourceVersion?: string } = { name: meta.name };
  if (typeof meta.namespace === 'string' && meta.namespace !== '') metadata.namespace = meta.namespace;
  const labels = stringMap(meta.labels);
  if (labels) metadata.labels = labels;
  const annotations = stringMap(meta.annotations);
  if (annotations) metadata.annotations = annotations;
  // Kept so the informer can tell a real update from a replay of the same version.
  if (typeof meta.resourceVersion === 'string') metadata.resourceVersion = meta.resourceVersion;
  const slim: KubeObject = { apiVersion: shape.apiVersion, kind: shape.kind, metadata };
  for (const field of shape.keep) {
    if (object[field] !== undefined) slim[field] = JSON.parse(JSON.stringify(object[field])) as unknown;
  }
  return slim;
}
