// Values the injector builds once and puts into many pods: the kuma-init
// container, the sidecar but its mounts, the injected volumes, operations that
// are the same for many pods. Each is deep-frozen, so no pod, patch or caller
// can change what another pod gets, and its JSON text is kept: a patch that
// carries it is written without serializing it again (docs/benchmarks.md,
// "Third pass"). A patch holding them must be copied before it is applied by
// reference (fast-json-patch inserts values as they are).

// Few, long-lived keys: the shared values themselves.
const keptText = new WeakMap<object, string>();

/** Freezes `value` and everything in it, and keeps its JSON text; returns `value`. */
export function shareValue<T extends object>(value: T): T {
  deepFreeze(value);
  keptText.set(value, JSON.stringify(value));
  return value;
}

const derivedValues = new WeakMap<object, Map<string, object>>();

/**
 * A value derived from `base` by `build` (e.g. a list holding it, its native-
 * sidecar form): when `base` is shared, built once per `kind` and shared too;
 * otherwise built for this call alone.
 */
export function derivedValue<T extends object>(base: unknown, kind: string, build: () => T): T {
  if (!keptText.has(base as object)) return build();
  let byKind = derivedValues.get(base as object);
  if (byKind === undefined) derivedValues.set(base as object, (byKind = new Map<string, object>()));
  let value = byKind.get(kind) as T | undefined;
  if (value === undefined) byKind.set(kind, (value = shareValue(build())));
  return value;
}

/**
 * `[value]`, shared (and kept) when `value` is: e.g. the init containers of a
 * pod that had none. Like every shared value it must not be changed: a later
 * insertion into the list copies it (the patch recorder does).
 */
export function listOf(value: unknown): unknown[] {
  return derivedValue(value, 'list', () => [value]);
}

/** The JSON text kept for a shared value; undefined for anything else. */
export function sharedJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? keptText.get(value) : undefined;
}

// What JSON.stringify escapes in a string: quotes, backslashes, control characters, lone surrogates.
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without its call (about 100 ns) when nothing needs escaping. */
export function quoteJson(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** The text JSON.stringify gives for `value`, from kept text where there is some. */
export function valueJson(value: unknown): string {
  if (typeof value === 'string') return quoteJson(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const kept = keptText.get(value);
  if (kept !== undefined) return kept;
  if (Array.isArray(value)) return value.some((item) => keptText.has(item as object)) ? arrayJson(value) : JSON.stringify(value);
  return JSON.stringify(value);
}

/** An array holding shared values (e.g. the one injected init container): item by item. */
function arrayJson(items: unknown[]): string {
  // As JSON.stringify: an undefined (or function) item is written as null.
  return `[${items.map((item) => keptText.get(item as object) ?? JSON.stringify(item) ?? 'null').join(',')}]`;
}

function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child as object);
}
