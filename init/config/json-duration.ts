// Kuma's Duration.Set (used by `--sleep-between-retries`) parses the raw text
// as JSON: a number is nanoseconds, a JSON string is a Go duration. So `2s`
// fails and `'"2s"'` or `2000000000` work (a Kuma bug kept for compatibility).
import { ConfigError } from './errors.ts';
import { parseDurationMillis } from './go-values.ts';

function goQuoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  return `'${c}'`;
}

const jsonValuePrefix = /^[ \t\r\n]*(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|"(?:[^"\\]|\\.)*"|true|false|null)/;

/** Go encoding/json's syntax error for text JSON.parse rejected (the common shapes). */
function goJsonSyntaxError(text: string): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  const prefix = jsonValuePrefix.exec(text)?.[0];
  if (prefix !== undefined) {
    const next = text.slice(prefix.length).trimStart()[0];
    return next === undefined ? 'unexpected end of JSON input' : `invalid character ${goQuoteChar(next)} after top-level value`;
  }
  const first = text.trimStart()[0]!;
  return `invalid character ${goQuoteChar(first)} looking for beginning of value`;
}

/** Milliseconds from a `--sleep-between-retries` value. */
export function parseJsonDuration(text: string): number {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(goJsonSyntaxError(text));
  }
  if (typeof value === 'number') return value / 1e6;
  if (typeof value === 'string') return parseDurationMillis(value);
  throw new ConfigError('invalid duration');
}
