// Compares two YAML documents as data, the way Kuma's golden matcher does
// (Gomega MatchYAML): key order is ignored, list order and scalar types count.
// One relaxation, on purpose: an empty value (null, {} or []) equals an absent
// key, because Go's typed round trip adds or drops such empties (`status: {}`,
// `resources: {}`, `creationTimestamp: null`) without changing meaning.

const isEmpty = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** Differences as `path: expected … got …` lines; empty when equal. */
export function yamlDataDiff(actual: unknown, expected: unknown, path = ''): string[] {
  if (isEmpty(actual) && isEmpty(expected)) return [];
  if (isMap(actual) && isMap(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    return [...keys].sort().flatMap((key) => yamlDataDiff(actual[key], expected[key], `${path}/${key}`));
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) {
      return [`${path || '/'}: expected ${expected.length} items ${describe(expected)}, got ${actual.length} ${describe(actual)}`];
    }
    return actual.flatMap((item, i) => yamlDataDiff(item, expected[i], `${path}/${i}`));
  }
  if (isMap(actual) || isMap(expected) || Array.isArray(actual) || Array.isArray(expected) || actual !== expected) {
    return [`${path || '/'}: expected ${describe(expected)}, got ${describe(actual)}`];
  }
  return [];
}
