// Loads an injector config document onto a base (kuma-cp defaults or zero
// values) the way kuma-cp's loader does: known keys overwrite, maps merge,
// unknown keys (such as `controlPlane`) are ignored. Accepts a full kuma-cp
// config (`runtime.kubernetes.injector`) or a bare injector block.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseGoDuration } from '../../go-compat/index.ts';
import { type InjectorConfig, kumaDefaultInjectorConfig, zeroInjectorConfig } from './injector-config.ts';
import { validateInjectorConfig } from './validate-config.ts';

export type ConfigDefaults = 'kuma' | 'none';

export class ConfigError extends Error {}

/** Fields whose YAML value is a string→string map merged key by key (Go json into a non-nil map). */
const MAP_FIELDS = new Set(['sidecarContainer.envVars', 'exceptions.labels']);
const DURATION_FIELDS = new Set(['sidecarContainer.drainTime']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  return `${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value} ${JSON.stringify(value)}`;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    if (!(key in target) || value === null || value === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const current = target[key];
    if (DURATION_FIELDS.has(path)) {
      if (typeof value !== 'string') throw new ConfigError(`${path}: expected a duration such as "30s", got ${describe(value)}`);
      try {
        target[key] = parseGoDuration(value);
      } catch (error) {
        throw new ConfigError(`${path}: ${(error as Error).message}`);
      }
    } else if (MAP_FIELDS.has(path)) {
      if (!isObject(value)) throw new ConfigError(`${path}: expected a map, got ${describe(value)}`);
      const merged = { ...(current as Record<string, string>) };
      for (const [name, entry] of Object.entries(value)) merged[name] = String(entry);
      target[key] = merged;
    } else if (isObject(current)) {
      if (!isObject(value)) throw new ConfigError(`${path}: expected a map, got ${describe(value)}`);
      mergeInto(current, value, path);
    } else if (Array.isArray(current)) {
      if (!Array.isArray(value)) throw new ConfigError(`${path}: expected a list, got ${describe(value)}`);
      const numeric = path.endsWith('Ports');
      for (const item of value) {
        const ok = numeric ? Number.isInteger(item) && (item as number) >= 0 : typeof item === 'string';
        if (!ok) throw new ConfigError(`${path}: expected a list of ${numeric ? 'port numbers' : 'strings'}, got item ${describe(item)}`);
      }
      target[key] = [...(value as unknown[])];
    } else if (typeof current === 'number') {
      if (!Number.isInteger(value)) throw new ConfigError(`${path}: expected an integer, got ${describe(value)}`);
      target[key] = value;
    } else if (typeof current === 'boolean') {
      if (typeof value !== 'boolean') throw new ConfigError(`${path}: expected true or false, got ${describe(value)}`);
      target[key] = value;
    } else {
      if (typeof value === 'object') throw new ConfigError(`${path}: expected a string, got ${describe(value)}`);
      target[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}

/** The injector block inside a kuma-cp config document, or the document itself. */
function injectorBlock(document: Record<string, unknown>): Record<string, unknown> {
  const runtime = document.runtime;
  if (isObject(runtime) && isObject(runtime.kubernetes)) {
    const injector = runtime.kubernetes.injector;
    return isObject(injector) ? injector : {};
  }
  return document;
}

export function baseConfig(defaults: ConfigDefaults): InjectorConfig {
  return defaults === 'kuma' ? kumaDefaultInjectorConfig() : zeroInjectorConfig();
}

/** Applies a parsed YAML document to the chosen base and validates the result. */
export function injectorConfigFrom(document: unknown, defaults: ConfigDefaults = 'kuma'): InjectorConfig {
  const config = baseConfig(defaults);
  if (document !== null && document !== undefined) {
    if (!isObject(document)) throw new ConfigError(`injector config must be a map, got ${describe(document)}`);
    mergeInto(config as unknown as Record<string, unknown>, injectorBlock(document), '');
  }
  const problems = validateInjectorConfig(config);
  if (problems.length > 0) throw new ConfigError(`Injector is not valid: ${problems.join('; ')}`);
  return config;
}

/** Reads and loads a YAML config file; without a file, just the chosen base. */
export function loadInjectorConfig(file: string | undefined, defaults: ConfigDefaults = 'kuma'): InjectorConfig {
  if (file === undefined) return injectorConfigFrom(undefined, defaults);
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'), { version: '1.1' });
  } catch (error) {
    throw new ConfigError(`cannot read injector config ${file}: ${(error as Error).message}`);
  }
  try {
    return injectorConfigFrom(document, defaults);
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
}
