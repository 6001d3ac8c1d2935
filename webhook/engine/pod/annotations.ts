// Typed reads of annotation (or label) maps with Kuma's parsing rules and its
// exact error texts (pkg/plugins/runtime/k8s/metadata/annotations.go).
import { goQuote } from '../../../go-compat/index.ts';
import { maxAnnotationListItems } from '../../limits/index.ts';
import { InjectionError } from '../errors.ts';

/** Error text of metadata.Annotations.GetUint32 for a bad value. */
function uintError(key: string, value: string, reason: string): string {
  return `failed to parse annotation ${goQuote(key)}: strconv.ParseUint: parsing ${goQuote(value)}: ${reason}`;
}

export type StringMap = Readonly<Record<string, string>>;

export class AnnotationError extends Error {}

function has(map: StringMap | undefined, key: string): map is StringMap {
  return map !== undefined && map !== null && Object.prototype.hasOwnProperty.call(map, key);
}

/** Truthy values: true/yes (and enabled/disabled when `acceptEnabled`). */
function parseBoolean(key: string, value: string, acceptEnabled: boolean): boolean {
  if (value === 'true' || value === 'yes') return true;
  if (value === 'false' || value === 'no') return false;
  if (acceptEnabled && value === 'enabled') return true;
  if (acceptEnabled && value === 'disabled') return false;
  throw new AnnotationError(`annotation "${key}" has wrong value "${value}"`);
}

export interface Read<T> {
  value: T;
  exists: boolean;
}

/** `enabled|disabled|true|false|yes|no`; throws on anything else. */
export function getEnabled(map: StringMap | undefined, key: string, def = false): Read<boolean> {
  if (!has(map, key)) return { value: def, exists: false };
  return { value: parseBoolean(key, map[key]!, true), exists: true };
}

/** `true|false|yes|no` only. */
export function getBoolean(map: StringMap | undefined, key: string, def = false): Read<boolean> {
  if (!has(map, key)) return { value: def, exists: false };
  return { value: parseBoolean(key, map[key]!, false), exists: true };
}

/** Go strconv.ParseUint(v, 10, 32). */
export function parseUint32(key: string, value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new AnnotationError(uintError(key, value, 'invalid syntax'));
  const n = Number(value);
  if (n > 0xffffffff) throw new AnnotationError(uintError(key, value, 'value out of range'));
  return n;
}

export function getUint32(map: StringMap | undefined, key: string, def = 0): Read<number> {
  if (!has(map, key)) return { value: def, exists: false };
  return { value: parseUint32(key, map[key]!), exists: true };
}

/** Reads several keys in order; the last present key wins (Kuma's multi-key getters). */
export function getString(map: StringMap | undefined, keys: string | string[], def = ''): Read<string> {
  let result: Read<string> = { value: def, exists: false };
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    if (has(map, key)) result = { value: map[key]!, exists: true };
  }
  return result;
}

/**
 * An annotation's value split into its items. Every item becomes an argument,
 * an env var or a patch, so a list of more than maxAnnotationListItems items
 * is refused: counted before it is split, so a hostile list is never built.
 */
export function splitAnnotation(key: string, value: string, separator: string): string[] {
  let items = 1;
  for (let at = value.indexOf(separator); at !== -1; at = value.indexOf(separator, at + separator.length)) {
    if (++items > maxAnnotationListItems) {
      throw new InjectionError('annotation_list_too_long', `annotation ${goQuote(key)} has more than ${maxAnnotationListItems} items`);
    }
  }
  return value.split(separator);
}

/** Comma-separated list, empty items dropped. */
export function getList(map: StringMap | undefined, key: string): string[] {
  if (!has(map, key)) return [];
  return splitAnnotation(key, map[key]!, ',').filter((item) => item !== '');
}

/** `K1=V1;K2=V2` (exactly one `=` per pair). */
export function getMap(map: StringMap | undefined, key: string): Map<string, string> {
  const result = new Map<string, string>();
  if (!has(map, key)) return result;
  for (const pair of splitAnnotation(key, map[key]!, ';')) {
    const parts = pair.split('=');
    if (parts.length !== 2) {
      throw new AnnotationError(
        `invalid format. Map in "${key}" has to be provided in the following format: key1=value1;key2=value2`,
      );
    }
    result.set(parts[0]!, parts[1]!);
  }
  return result;
}
