// The offline ClusterState: Namespaces, Meshes, ContainerPatches and ConfigMaps
// read from multi-document YAML files (`--state`), `List`s unpacked. Input is
// checked the way the API server would check it, and every error names the
// file and the document, so a typo in a state file is not a silent "not found"
// later. Objects are slimmed like the watch caches' (plain JSON, only what the
// injector reads), so both sources look the same to the engine.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './cluster-state.ts';
import { slimObject, type SlimShape } from './slim-object.ts';
import { StaticClusterState } from './static-state.ts';

export type StateFileErrorCode =
  /** The file cannot be read. */
  | 'STATE_FILE_UNREADABLE'
  /** The YAML does not parse. */
  | 'STATE_YAML_INVALID'
  /** A document is not a usable object of a supported kind (missing name, wrong types...). */
  | 'STATE_OBJECT_INVALID'
  /** A kind (or apiVersion) the injector does not read. */
  | 'STATE_KIND_UNSUPPORTED';

export class StateFileError extends Error {
  constructor(
    readonly code: StateFileErrorCode,
    readonly file: string,
    /** Where in the file: `document 2`, `document 2, items[0]`; undefined for the whole file. */
    readonly location: string | undefined,
    detail: string,
  ) {
    super(`state file ${file}${location ? `, ${location}` : ''}: ${detail}`);
    this.name = 'StateFileError';
  }
}

interface SupportedKind extends SlimShape {
  namespaced: boolean;
  /** Fields whose values must all be strings. */
  stringMaps: readonly string[];
}

const KINDS: Readonly<Record<string, SupportedKind>> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', keep: [], namespaced: false, stringMaps: [] },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', keep: ['data'], namespaced: true, stringMaps: ['data'] },
  Mesh: { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', keep: ['spec'], namespaced: false, stringMaps: [] },
  ContainerPatch: {
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'ContainerPatch',
    keep: ['spec'],
    namespaced: true,
    stringMaps: [],
  },
};

type Loose = Record<string, unknown>;
const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a problem is, for StateFileError. */
interface Place {
  file: string;
  location: string;
}

const invalid = (place: Place, detail: string) => new StateFileError('STATE_OBJECT_INVALID', place.file, place.location, detail);

// YAML 1.1 (what Kubernetes reads) turns yes/no/on/off/y/n and bare numbers into non-strings.
const notAString = (value: unknown): string =>
  `must be a string, got ${value === null ? 'null' : typeof value} (quote the value)`;

function checkStringMap(value: unknown, field: string, place: Place): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw invalid(place, `${field} must be a map of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalid(place, `${field}.${key} ${notAString(item)}`);
  }
}

function toObject(value: unknown, place: Place, defaults: { kind?: string; apiVersion?: string } = {}): KubeObject {
  if (!isRecord(value)) throw invalid(place, 'expected a Kubernetes object (a YAML mapping)');
  const kind = value.kind ?? defaults.kind;
  const apiVersion = value.apiVersion ?? defaults.apiVersion;
  if (typeof kind !== 'string' || kind === '') throw invalid(place, 'kind is missing');
  const supported = KINDS[kind];
  if (!supported) {
    throw new StateFileError(
      'STATE_KIND_UNSUPPORTED',
      place.file,
      place.location,
      `kind ${kind} is not cluster state (expected ${Object.keys(KINDS).join(', ')} or a List of them)`,
    );
  }
  if (apiVersion !== supported.apiVersion) {
    throw new StateFileError(
      'STATE_KIND_UNSUPPORTED',
      place.file,
      place.location,
      `${kind} must have apiVersion ${supported.apiVersion}, got ${apiVersion === undefined ? 'none' : JSON.stringify(apiVersion)}`,
    );
  }
  const metadata = value.metadata;
  if (!isRecord(metadata)) throw invalid(place, `${kind} has no metadata`);
  if (metadata.name === undefined || metadata.name === '') throw invalid(place, `${kind} has no metadata.name`);
  if (typeof metadata.name !== 'string') throw invalid(place, `${kind}: metadata.name ${notAString(metadata.name)}`);
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    throw invalid(place, `${kind} ${metadata.name}: metadata.namespace must be a string`);
  }
  const named = `${kind} ${metadata.name}`;
  checkStringMap(metadata.labels, `${named}: metadata.labels`, place);
  checkStringMap(metadata.annotations, `${named}: metadata.annotations`, place);
  for (const field of supported.stringMaps) checkStringMap(value[field], `${named}: ${field}`, place);
  // As the API server does: a cluster-scoped object has no namespace.
  const source = supported.namespaced ? value : { ...value, metadata: { ...metadata, namespace: undefined } };
  return slimObject(source, supported)!;
}

/** The webhook's own configuration may sit in a state file (a rendered chart): `explain` reads its selectors, the engine does not. */
const WEBHOOK_CONFIGURATION = 'MutatingWebhookConfiguration';

function objectsOf(value: unknown, place: Place): KubeObject[] {
  if (value === null || value === undefined) return []; // an empty document (e.g. a trailing `---`)
  const kind = isRecord(value) ? value.kind : undefined;
  if (kind === WEBHOOK_CONFIGURATION || kind === `${WEBHOOK_CONFIGURATION}List`) return [];
  if (typeof kind !== 'string' || !kind.endsWith('List')) return [toObject(value, place)];
  const list = value as Loose;
  if (!Array.isArray(list.items)) throw invalid(place, `${kind} has no items list`);
  // A typed list (NamespaceList...) may leave kind and apiVersion out of its items, as API responses do.
  const defaults = kind === 'List' ? {} : { kind: kind.slice(0, -'List'.length), apiVersion: list.apiVersion as string };
  return list.items.flatMap((item, index) =>
    isRecord(item) && item.kind === WEBHOOK_CONFIGURATION ? [] : [toObject(item, { ...place, location: `${place.location}, items[${index}]` }, defaults)],
  );
}

/** The state objects in one YAML text (`file` names it in errors). */
export function parseStateObjects(text: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text, { version: '1.1' }).forEach((document, index) => {
    const location = `document ${index + 1}`;
    const error = document.errors[0];
    if (error) throw new StateFileError('STATE_YAML_INVALID', file, location, error.message);
    objects.push(...objectsOf(document.toJS({ maxAliasCount: 100 }), { file, location }));
  });
  return objects;
}

/**
 * A ClusterState of the objects in `paths`, in order: when two files (or
 * documents) define the same object, the later one wins, so a file can
 * override a base. Namespaced objects without a namespace are in `default`.
 */
export function loadStateFiles(paths: readonly string[]): StaticClusterState {
  const state = new StaticClusterState();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new StateFileError('STATE_FILE_UNREADABLE', path, undefined, (error as Error).message);
    }
    for (const object of parseStateObjects(text, path)) state.add(object);
  }
  return state;
}
