// The DataplaneConfig subset the validator reads from `--transparent-proxy-config`
// values (Kuma 2.13: ipFamilyMode and redirect.{inbound,outbound,dns}.{enabled,port}).
// Documents are layered in order over Kuma's defaults, unknown keys are ignored
// (Kuma's loader is not strict), and errors carry Kuma's wording.
import { readFile, stat } from 'node:fs/promises';
import YAML from 'yaml';

export const DEFAULT_VALIDATION_SERVER_PORT = 15006;

export interface TrafficFlow {
  enabled: boolean;
  port: number;
}

export interface DataplaneConfig {
  ipFamilyMode: string;
  redirect: { inbound: TrafficFlow; outbound: TrafficFlow; dns: TrafficFlow };
}

export function defaultDataplaneConfig(): DataplaneConfig {
  return {
    ipFamilyMode: 'dualstack',
    redirect: {
      inbound: { enabled: true, port: DEFAULT_VALIDATION_SERVER_PORT },
      outbound: { enabled: true, port: 15001 },
      dns: { enabled: false, port: 15053 },
    },
  };
}

/** Kuma's IPFamilyMode.Set check: case-insensitive match, "" means dualstack. */
export function ipFamilyModeProblem(value: string): string | undefined {
  return ['', 'dualstack', 'ipv4'].includes(value.toLowerCase()) ? undefined : "must be one of 'dualstack' or 'ipv4'";
}

/** Where documents come from: file contents and stdin (injectable in tests). */
export interface DataplaneConfigSource {
  readStdin?: () => Promise<string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonKind(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
}

/** encoding/json's UnmarshalTypeError text (Kuma's struct name typo included). */
function typeError(v: Json, struct: string, field: string, goType: string): Error {
  return new Error(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${field} of type ${goType}`);
}

function asObject(v: Json, struct: string, field: string, goType: string): { [k: string]: Json } | undefined {
  if (v === null) return undefined; // JSON null leaves a struct untouched
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, struct, field, goType);
  return v;
}

/** Kuma's Port.UnmarshalJSON: the raw JSON text must be a uint16 in [1, 65535]. */
function port(v: Json): number {
  const raw = JSON.stringify(v);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffff) {
    throw new Error(`value '${raw}' is not a valid port (uint16 in the range [1, 65535])`);
  }
  return v;
}

function applyFlow(flow: TrafficFlow, v: Json, path: string): void {
  const obj = asObject(v, 'DataplaneRedirect', path, 'dataplane.DatalpaneTrafficFlow');
  if (!obj) return;
  if ('enabled' in obj) {
    const e = obj.enabled!;
    if (e !== null && typeof e !== 'boolean') throw typeError(e, 'DatalpaneTrafficFlow', `${path}.enabled`, 'bool');
    if (e !== null) flow.enabled = e;
  }
  if ('port' in obj) flow.port = port(obj.port!);
}

/** Applies one YAML document over `cfg` (mutates it), as sigs.k8s.io/yaml + encoding/json would. */
export function applyDataplaneConfigDocument(cfg: DataplaneConfig, text: string): void {
  let doc: Json;
  try {
    doc = YAML.parse(text, { version: '1.1' }) as Json;
  } catch (e) {
    throw new Error(`unable to parse configuration: error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    if (doc === null || doc === undefined) return;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new Error(`json: cannot unmarshal ${jsonKind(doc)} into Go value of type dataplane.DataplaneConfig`);
    }
    if ('ipFamilyMode' in doc) {
      const m = doc.ipFamilyMode!;
      if (typeof m !== 'string') throw new Error(`value '${JSON.stringify(m)}' is not a valid IPFamilyMode: json: cannot unmarshal ${jsonKind(m)} into Go value of type string`);
      const problem = ipFamilyModeProblem(m);
      if (problem) throw new Error(`value '${m}' is not a valid IPFamilyMode: ${problem}`);
      cfg.ipFamilyMode = m === '' ? 'dualstack' : m;
    }
    const redirect = 'redirect' in doc ? asObject(doc.redirect!, 'DataplaneConfig', 'redirect', 'dataplane.DataplaneRedirect') : undefined;
    for (const key of ['inbound', 'outbound', 'dns'] as const) {
      if (redirect && key in redirect) applyFlow(cfg.redirect[key], redirect[key]!, `redirect.${key}`);
    }
  } catch (e) {
    throw new Error(`unable to parse configuration: error unmarshaling JSON: while decoding JSON: ${(e as Error).message}`);
  }
}

/**
 * Loads `values` in order over the defaults: each is a file path, `-` for stdin,
 * or blank (skipped), like Kuma's config.Loader.
 */
export async function loadDataplaneConfig(values: readonly string[], source: DataplaneConfigSource = {}): Promise<DataplaneConfig> {
  const cfg = defaultDataplaneConfig();
  for (const value of values) {
    const v = value.trim();
    if (v === '') continue;
    if (v === '-') {
      applyDataplaneConfigDocument(cfg, source.readStdin ? await source.readStdin() : '');
      continue;
    }
    try {
      await stat(value);
    } catch {
      throw new Error(`unable to access configuration file '${value}', please check if the file exists and has the correct permissions`);
    }
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch (e) {
      throw new Error(`reading configuration from file '${value}' failed: ${(e as Error).message}`);
    }
    try {
      applyDataplaneConfigDocument(cfg, text);
    } catch (e) {
      throw new Error(`parsing configuration from file '${value}' failed: ${(e as Error).message}`);
    }
  }
  return cfg;
}
