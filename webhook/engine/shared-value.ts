// Values the injector builds once and puts into many pods: the kuma-init
// container, the sidecar's environment and probes, the injected volumes. Each
// is deep-frozen, so no pod, patch or caller can change what another pod gets,
// and its JSON text is kept: a patch that carries it is written without
// serializing it again (docs/benchmarks.md, "Third pass").
//
// An extension is a shared value with members of one pod's own added (the
// sidecar with the pod's service-account token mount): written as the shared
// value's kept text with the added members after it.
// Few, long-lived keys: the shared values themselves.
const keptText = new WeakMap<object, string>();
// An extension is made per admission, so what it extends is a hidden (symbol, non-enumerable)
// property of its own rather than an entry in a weak table: weak tables filled per admission
// slow every scavenge under load.
const extensionOf = Symbol('shared value extended');

interface Extension {
  base: object;
  extra: Record<string, unknown>;
}

/** Freezes `value` and everything in it, and keeps its JSON text; returns `value`. */
export function shareValue<T extends object>(value: T): T {
  deepFreeze(value);
  keptText.set(value, JSON.stringify(value));
  return value;
}

/**
 * `{ ...base, ...extra }`, frozen. When `base` is shared (or itself an
 * extension) and `extra` adds only new keys, it is written from the base's text;
 * otherwise it is written as any other object.
 */
export function extendShared<T extends object, E extends Record<string, unknown>>(base: T, extra: E): T & E {
  const value = { ...base, ...extra };
  if ((keptText.has(base) || extensionOf in base) && !Array.isArray(base) && !Object.keys(extra).some((key) => key in base)) {
    Object.defineProperty(value, extensionOf, { value: { base, extra } satisfies Extension });
  }
  return Object.freeze(value);
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
  const extension = (value as { [extensionOf]?: Extension })[extensionOf];
  if (extension !== undefined) return extensionJson(extension.base, extension.extra);
  if (Array.isArray(value)) return value.some((item) => keptText.has(item as object)) ? arrayJson(value) : JSON.stringify(value);
  return JSON.stringify(value);
}

/** An array holding shared values (e.g. the one injected init container): item by item. */
function arrayJson(items: unknown[]): string {
  // As JSON.stringify: an undefined (or function) item is written as null.
  return `[${items.map((item) => keptText.get(item as object) ?? JSON.stringify(item) ?? 'null').join(',')}]`;
}

function extensionJson(base: object, extra: Record<string, unknown>): string {
  let text = valueJson(base).slice(0, -1);
  for (const key in extra) {
    const part = extra[key];
    // As JSON.stringify: undefined (and function) members are left out.
    if (part === undefined || typeof part === 'function') continue;
    text += `${text === '{' ? '' : ','}${quoteJson(key)}:${valueJson(part)}`;
  }
  return `${text}}`;
}

function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child as object);
}
