// Applies each mutation to a copy-on-write working copy of the pod and records
// the RFC 6902 operation that makes the same change, so the patch is built
// from the mutations made instead of by diffing pods. Objects on a written
// path are shallow-copied once; everything else is shared with the input,
// which is never modified. The patch's text is JSON.stringify of `ops`.

/** What the recorder writes: `add` and `replace`, each with its value (a fast-json-patch Operation). */
export type RecordedOperation = { op: 'add'; path: string; value: unknown } | { op: 'replace'; path: string; value: unknown };

type Node = Record<string, unknown> | unknown[];
export type Path = readonly (string | number)[];

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** One JSON-pointer token: `~` → `~0`, `/` → `~1`. */
function token(part: string | number): string {
  const text = String(part);
  return text.includes('~') || text.includes('/') ? text.replaceAll('~', '~0').replaceAll('/', '~1') : text;
}

/** JSON pointer of a path. */
export function pointer(path: Path): string {
  let out = '';
  for (const part of path) out += `/${token(part)}`;
  return out;
}

export class PatchRecorder<T extends Record<string, unknown> = Record<string, unknown>> {
  readonly doc: T;
  readonly ops: RecordedOperation[] = [];
  // A Set, not a WeakSet: the recorder lives for one admission, and weak tables made per
  // admission slow every scavenge under load (ephemerons; docs/benchmarks.md).
  private readonly owned = new Set<object>();

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

  /** The node at `path`, made writable by copying each not-yet-copied node on the way. */
  private writable(path: Path): Node {
    let node: Node = this.doc;
    for (const part of path) {
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
    return node;
  }

  /** `add`: sets a key, or inserts into an array at an index or at the end (`-`). */
  add(path: Path, value: unknown): void {
    const last = path[path.length - 1]!;
    const parent = this.writable(path.slice(0, -1));
    if (Array.isArray(parent)) {
      if (last === '-') parent.push(value);
      else parent.splice(Number(last), 0, value);
    } else {
      parent[last as string] = value;
    }
    this.ops.push({ op: 'add', path: pointer(path), value });
  }

  /** `replace` of an existing value. */
  replace(path: Path, value: unknown): void {
    const parent = this.writable(path.slice(0, -1));
    (parent as Record<string, unknown>)[path[path.length - 1] as string] = value;
    this.ops.push({ op: 'replace', path: pointer(path), value });
  }

  /** Creates an empty map at `path` when nothing is there (e.g. `/metadata/annotations`). */
  ensureMap(path: Path): void {
    if (!isNode(this.get(path))) this.add(path, {});
  }

  /** Sets one entry of a string map such as labels or annotations, creating the map (and its parents) if needed. */
  setEntry(mapPath: Path, key: string, value: string): void {
    this.setEntries(mapPath, { [key]: value });
  }

  /** setEntry for each entry, in order: the map is made writable, and its pointer written, once. */
  setEntries(mapPath: Path, entries: Readonly<Record<string, string>>): void {
    for (let i = 1; i <= mapPath.length; i++) this.ensureMap(mapPath.slice(0, i));
    const map = this.writable(mapPath) as Record<string, unknown>;
    const mapPointer = pointer(mapPath);
    for (const key in entries) {
      map[key] = entries[key];
      this.ops.push({ op: 'add', path: `${mapPointer}/${token(key)}`, value: entries[key] });
    }
  }

  /** Appends to an array, creating it when absent. */
  append(arrayPath: Path, value: unknown): void {
    if (Array.isArray(this.get(arrayPath))) this.add([...arrayPath, '-'], value);
    else this.add(arrayPath, [value]);
  }

  /** Inserts at an index, creating the array when absent. */
  insert(arrayPath: Path, index: number, value: unknown): void {
    if (Array.isArray(this.get(arrayPath))) this.add([...arrayPath, index], value);
    else this.add(arrayPath, [value]);
  }
}
