// One `--config` source (YAML or JSON) merged into a config the way Kuma
// 2.13.10 does it: sigs.k8s.io/yaml (YAML 1.1, scalars coerced to strings for
// string fields) then encoding/json into the existing struct. Unknown keys
// are ignored, keys match case-insensitively, lists replace, `null` leaves a
// value alone; Kuma's value types (Port, Ports, IPFamilyMode, Duration) keep
// their own parsing and messages.
import { parseAllDocuments } from 'yaml';
import type { TransparentProxyConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { configFields, goStructs, setAt, type FieldSpec } from './fields.ts';
import { formatGoFloat } from '../../go-compat/index.ts';
import { parseDurationMillis } from './go-values.ts';
import { parseIpFamilyMode } from './ip-family-mode.ts';
import { parseIptablesMode } from './iptables-mode.ts';
import { parsePort, parsePorts } from './ports.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** YAML 1.1 as go-yaml v2 reads it: no sexagesimal numbers, timestamps stay strings. */
function parseYaml(text: string): Json {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: false,
    customTags: (tags) =>
      tags.filter((tag) => typeof tag === 'string' || (tag.format !== 'TIME' && tag.tag !== 'tag:yaml.org,2002:timestamp')),
  });
  const first = Array.isArray(docs) ? docs[0] : docs;
  if (!first) return null;
  const error = first.errors[0];
  if (error) {
    const detail = error.message.split('\n')[0];
    throw new ConfigError(`error converting YAML to JSON: error converting YAML to JSON: yaml: ${detail}`);
  }
  try {
    return first.toJS({ maxAliasCount: 100 }) as Json;
  } catch (e) {
    // Aliases expanding past the bound (a "billion laughs" document) are bad input, not a runtime failure.
    throw new ConfigError(`error converting YAML to JSON: error converting YAML to JSON: yaml: ${(e as Error).message}`);
  }
}

function jsonKind(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Go json.Marshal of a decoded YAML value: what Kuma's UnmarshalJSON methods receive. */
function goJsonText(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(goJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort(byteCompare);
    return `{${keys.map((k) => `${goJsonText(k)}:${goJsonText(value[k]!)}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  return String(value);
}

/** sigs.k8s.io/yaml: a number or bool headed for a Go string becomes a string. */
function coerceToString(value: Json): Json {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatGoFloat(value, 32);
  if (typeof value === 'boolean') return String(value);
  return value;
}

class Decoder {
  /** encoding/json reports the first type mismatch after decoding the rest. */
  firstTypeError: string | undefined;

  constructor(private readonly config: TransparentProxyConfig) {}

  typeError(value: Json, path: readonly string[], goType: string, valueText?: string): void {
    const parent = goStructs[path.slice(0, -1).join('.')]!;
    this.firstTypeError ??= `json: cannot unmarshal ${valueText ?? jsonKind(value)} into Go struct field ${parent.name}.${path.join('.')} of type ${goType}`;
  }

  decodeStruct(value: Json, path: readonly string[]): void {
    if (value === null) return;
    const struct = goStructs[path.join('.')]!;
    if (typeof value !== 'object' || Array.isArray(value)) {
      if (path.length === 0) throw new ConfigError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${struct.goType}`);
      this.typeError(value, path, struct.goType);
      return;
    }
    const children = childNames(path);
    // Go's json.Marshal sorts map keys, so a later case-variant key wins in byte order.
    for (const key of Object.keys(value).sort(byteCompare)) {
      const name = children.find((c) => c === key) ?? children.find((c) => c.toLowerCase() === key.toLowerCase());
      if (name === undefined) continue;
      const childPath = [...path, name];
      const field = yamlFields.find((f) => f.path.join('.') === childPath.join('.'));
      if (field) this.decodeField(value[key]!, field);
      else this.decodeStruct(value[key]!, childPath);
    }
  }

  decodeField(raw: Json, field: FieldSpec): void {
    const { path } = field;
    switch (field.kind) {
      case 'bool':
        if (typeof raw === 'boolean') setAt(this.config, path, raw);
        else if (raw !== null) this.typeError(raw, path, field.goType);
        return;
      case 'uint':
      case 'uint16': {
        if (raw === null) return;
        if (typeof raw !== 'number') return this.typeError(raw, path, field.goType);
        const max = field.kind === 'uint16' ? 0xffff : Number.MAX_SAFE_INTEGER;
        if (!Number.isInteger(raw) || raw < 0 || raw > max) return this.typeError(raw, path, field.goType, `number ${goJsonText(raw)}`);
        setAt(this.config, path, raw);
        return;
      }
      case 'string': {
        const value = coerceToString(raw);
        if (typeof value === 'string') setAt(this.config, path, value);
        else if (value !== null) this.typeError(value, path, field.goType);
        return;
      }
      case 'strings': {
        if (raw === null) return setAt(this.config, path, []);
        if (!Array.isArray(raw)) return this.typeError(raw, path, field.goType);
        const items: string[] = [];
        for (const item of raw.map(coerceToString)) {
          if (typeof item === 'string' || item === null) items.push(item ?? '');
          else this.typeError(item, path, 'string');
        }
        setAt(this.config, path, items);
        return;
      }
      case 'port':
        setAt(this.config, path, parsePort(goJsonText(raw)));
        return;
      case 'ports':
        setAt(this.config, path, parsePorts(portsText(raw)));
        return;
      case 'ipFamilyMode': {
        if (raw !== null && typeof raw !== 'string') {
          throw new ConfigError(
            `value '${goJsonText(raw)}' is not a valid IPFamilyMode: json: cannot unmarshal ${jsonKind(raw)} into Go value of type string`,
          );
        }
        try {
          setAt(this.config, path, parseIpFamilyMode(raw ?? ''));
        } catch (error) {
          throw new ConfigError(`value '${raw}' is not a valid IPFamilyMode: ${(error as Error).message}`);
        }
        return;
      }
      case 'duration':
        if (typeof raw === 'number') setAt(this.config, path, raw / 1e6);
        else if (typeof raw === 'string') setAt(this.config, path, parseDurationMillis(raw));
        else throw new ConfigError('invalid duration');
        return;
      case 'iptablesMode':
        if (raw === null) return;
        if (typeof raw !== 'string') return this.typeError(raw, path, field.goType);
        try {
          setAt(this.config, path, parseIptablesMode(raw));
        } catch (error) {
          throw new ConfigError(`value '${raw}' is not a valid iptablesMode: ${(error as Error).message}`);
        }
        return;
      case 'executables':
        return; // env only; YAML uses the flat string keys
    }
  }
}

/** Kuma's Ports.UnmarshalJSON: lists of strings/numbers are joined, anything else is parsed as its JSON text. */
function portsText(raw: Json): string {
  const scalar = (v: Json) => (typeof v === 'number' ? formatGoFloat(v, 64) : typeof v === 'string' ? v : undefined);
  if (Array.isArray(raw)) return raw.flatMap((v) => scalar(v) ?? []).join(',');
  return scalar(raw) ?? goJsonText(raw);
}

const yamlFields = configFields.filter((f) => f.inYaml);

function childNames(path: readonly string[]): string[] {
  const prefix = path.join('.');
  const names = new Set<string>();
  for (const f of yamlFields) {
    if (f.path.length > path.length && f.path.slice(0, path.length).join('.') === prefix) names.add(f.path[path.length]!);
  }
  return [...names];
}

/** Merges one YAML/JSON document into `config` (mutates it); throws `unable to parse configuration: …`. */
export function applyConfigDocument(config: TransparentProxyConfig, text: string): void {
  try {
    const decoder = new Decoder(config);
    decoder.decodeStruct(parseYaml(text), []);
    if (decoder.firstTypeError) throw new ConfigError(decoder.firstTypeError);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const message = error.message.startsWith('error converting YAML') ? error.message : `error unmarshaling JSON: ${error.message}`;
    throw new ConfigError(`unable to parse configuration: ${message}`);
  }
}
