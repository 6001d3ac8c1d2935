// JSON as Kuma's installer reads and writes CNI config files: Go's
// json.Unmarshal into maps, then json.MarshalIndent (keys sorted bytewise at
// every level, two-space indent, <, >, & and U+2028/9 escaped, no trailing
// newline). Byte-compatible output keeps diffs against Kuma's files empty.

export type JsonObject = { [key: string]: unknown };

/** Config files bigger than this are not CNI configs; they are never read whole nor parsed. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** The object a text holds, or undefined when it is not a JSON object (or too big to be a config). */
export function parseJsonObject(text: string): JsonObject | undefined {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isJsonObject(value)) return value;
  // fromEntries defines own data properties: a "__proto__" key stays a plain key.
  return Object.fromEntries(Object.keys(value).sort(byteOrder).map((key) => [key, sortedKeys(value[key])]));
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Go's json.MarshalIndent(value, "", "  ") of a value decoded into maps. */
export function goMarshalIndent(value: unknown): string {
  return JSON.stringify(sortedKeys(value), null, 2).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** Deep equality of decoded JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));
}
