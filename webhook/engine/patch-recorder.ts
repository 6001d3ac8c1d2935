// Applies each mutation to a copy-on-write working copy of the pod and records
// the RFC 6902 operation that makes the same change, so the patch is built
// from the mutations made instead of by diffing pods. Objects on a written
// path are shallow-copied once; everything else is shared with the input,
// which is never modified.
import { operation } from './kept-operations.ts';
import { listOf } from './shared-value.ts';

/** What the recorder writes: `add` and `replace`, each with its value (a fast-json-patch Operation). */
export type RecordedOperation = { op: 'add'; path: string; value: unknown } | { op: 'replace'; path: string; value: unknown };

type Node = Record<string, unknown> | unknown[];
export type Path = readonly (string | number)[];

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

// Escaped tokens, kept: they are mostly the injector's own annotation keys (`kuma.io/...`), escaped on
// every admission otherwise. Bounded, since a pod's own keys can reach here too.
const escapedTokens = new Map<string, string>();
const maxEscapedTokens = 512;

/** One JSON-pointer token: `~` → `~0`, `/` → `~1`; most parts have neither and are used as they are. */
function token(part: string | number): string {
  if (typeof part === 'number') return String(part);
  if (!part.includes('/') && !part.includes('~')) return part;
  let escaped = escapedTokens.get(part);
  if (escaped === undefined) {
    escaped = part.replaceAll('~', '~0').replaceAll('/', '~1');
    if (escapedTokens.size >= maxEscapedTokens) escapedTokens.clear();
    escapedTokens.set(part, escaped);
  }
  return escaped;
}

/** JSON pointer of the first `length` parts of a path. */
function pointerTo(path: Path, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += `/${token(path[i]!)}`;
  return out;
}

/** JSON pointer of a path (`~` → `~0`, `/` → `~1`). */
export function pointer(path: Path): string {
  return pointerTo(path, path.length);
}

/** A node made writable, remembered with the path (by identity) and depth it was reached by, and its pointer. */
interface Writable {
  path: Path;
  length: number;
  node: Node;
  pointer: string;
}

export class PatchRecorder<T extends Record<string, unknown> = Record<string, unknown>> {
  readonly doc: T;
  readonly ops: RecordedOperation[] = [];
  // A Set, not a WeakSet: the recorder lives for one admission, and weak tables made per
  // admission slow every scavenge under load (ephemerons; docs/benchmarks.md).
  private readonly owned = new Set<object>();
  /**
   * The last node made writable, by path (the same array, e.g. the annotations path for each of
   * the injector's annotations) and depth, with its pointer: consecutive writes under one node skip
   * the walk. A write at a smaller depth may replace a node on that path, so it forgets it.
   */
  private lastWritable?: Writable;

  constructor(input: T) {
    this.doc = { ...input };
    this.owned.add(this.doc);
  }

  /** Value at a path in the working copy (read only: write through the recorder). */
  get(path: Path): unknown {
    let node: unknown = this.doc;
    for (const part of path) {
      if (!isNode(node)) return undefined;
      node = (node as Record<string, unknown>)[part as string];
    }
    return node;
  }

  /** The node at the first `length` parts of `path`, made writable by copying each not-yet-copied node on the way, with its pointer. */
  private writable(path: Path, length: number): Writable {
    const last = this.lastWritable;
    if (last !== undefined && last.path === path && last.length === length) return last;
    let node: Node = this.doc;
    for (let i = 0; i < length; i++) {
      const part = path[i]!;
      const child: unknown = (node as Record<string, unknown>)[part as string];
      if (!isNode(child)) throw new Error(`patch path ${pointer(path)}: ${String(part)} does not exist`);
      let copy: Node = child;
      if (!this.owned.has(child)) {
        copy = Array.isArray(child) ? [...child] : { ...child };
        this.owned.add(copy);
        (node as Record<string, unknown>)[part as string] = copy;
      }
      node = copy;
    }
    this.lastWritable = { path, length, node, pointer: pointerTo(path, length) };
    return this.lastWritable;
  }

  /** A write into the node at `depth` parts: one above the remembered node may have replaced it. */
  private wroteAt(depth: number): void {
    if (this.lastWritable !== undefined && depth < this.lastWritable.length) this.lastWritable = undefined;
  }

  /**
   * `add` of `value` at `last` under the node at the first `length` parts of
   * `path`: sets a key, or inserts into an array at an index or at the end (`-`).
   * Taking the parent path and the last part apart spares callers a path copy.
   */
  private addUnder(path: Path, length: number, last: string | number, value: unknown): void {
    const parent = this.writable(path, length);
    const node = parent.node;
    if (Array.isArray(node)) {
      if (last === '-') node.push(value);
      else node.splice(Number(last), 0, value);
    } else {
      node[last as string] = value;
    }
    this.ops.push(operation('add', parent.pointer, token(last), value));
    this.wroteAt(length);
  }

  /** `add`: sets a key, or inserts into an array at an index or at the end (`-`). */
  add(path: Path, value: unknown): void {
    this.addUnder(path, path.length - 1, path[path.length - 1]!, value);
  }

  /** `replace` of an existing value. */
  replace(path: Path, value: unknown): void {
    const last = path[path.length - 1]!;
    const parent = this.writable(path, path.length - 1);
    (parent.node as Record<string, unknown>)[last as string] = value;
    this.ops.push(operation('replace', parent.pointer, token(last), value));
    this.wroteAt(path.length - 1);
  }

  /** Creates an empty map at `path` when nothing is there (e.g. `/metadata/annotations`). */
  ensureMap(path: Path): void {
    if (!isNode(this.get(path))) this.add(path, {});
  }

  /** Sets one entry of a string map such as labels or annotations, creating the map (and its parents) if needed. */
  setEntry(mapPath: Path, key: string, value: string): void {
    // One walk down the map path; a level is created only where the walk finds nothing.
    let node: unknown = this.doc;
    for (let i = 0; i < mapPath.length; i++) {
      const child: unknown = (node as Record<string, unknown>)[mapPath[i] as string];
      if (isNode(child)) {
        node = child;
        continue;
      }
      const created = {};
      this.addUnder(mapPath, i, mapPath[i]!, created);
      node = created;
    }
    this.addUnder(mapPath, mapPath.length, key, value);
  }

  /** setEntry for each entry, in order; the walk down the map path is made once. */
  setEntries(mapPath: Path, entries: Readonly<Record<string, string>>): void {
    let walked = false;
    for (const key in entries) {
      if (walked) this.addUnder(mapPath, mapPath.length, key, entries[key]);
      else this.setEntry(mapPath, key, entries[key]!);
      walked = true;
    }
  }

  /** Appends to an array, creating it when absent. */
  append(arrayPath: Path, value: unknown): void {
    if (Array.isArray(this.get(arrayPath))) this.addUnder(arrayPath, arrayPath.length, '-', value);
    else this.add(arrayPath, listOf(value));
  }

  /** Inserts at an index, creating the array when absent. */
  insert(arrayPath: Path, index: number, value: unknown): void {
    if (Array.isArray(this.get(arrayPath))) this.addUnder(arrayPath, arrayPath.length, index, value);
    else this.add(arrayPath, listOf(value));
  }
}
