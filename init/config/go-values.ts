// Go standard-library value parsing and formatting that Kuma's messages and
// behaviour depend on: strconv.ParseBool/ParseUint, time.ParseDuration and
// strconv.FormatFloat(…, 'g', -1, bits). Errors carry Go's exact texts.
import { ConfigError } from './errors.ts';

/** Go `strconv.Quote` for the printable ASCII texts that appear in flags and env vars. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean {
  if (trueWords.has(s)) return true;
  if (falseWords.has(s)) return false;
  throw new ConfigError(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go `strconv.ParseUint(s, 0, bits)`: base prefixes 0x, 0o, 0b and a leading 0 (octal), underscores between digits. */
export function parseGoUint(s: string, bits: 16 | 64): number {
  const syntax = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/;
  if (!syntax.test(s)) throw new ConfigError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const digits = s.replaceAll('_', '');
  const value = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (value > (1n << BigInt(bits)) - 1n) throw new ConfigError(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return Number(value);
}

const nanosPerUnit: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5
  'μs': 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go `time.ParseDuration`, returned in milliseconds. */
export function parseGoDuration(orig: string): number {
  const invalid = () => new ConfigError(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let nanos = 0;
  while (s !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const [text, whole = '', fraction] = number;
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    s = s.slice(text.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') throw new ConfigError(`time: missing unit in duration ${goQuote(orig)}`);
    const scale = nanosPerUnit[unit];
    if (scale === undefined) throw new ConfigError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    nanos += Number(`${whole || '0'}.${fraction ?? ''}0`) * scale;
    s = s.slice(unit.length);
  }
  if (nanos > 2 ** 63 - 1) throw invalid();
  return (sign * nanos) / 1e6;
}

/** Go `strconv.FormatFloat(x, 'g', -1, bits)` (also fmt's `%v` for float64). */
export function formatGoFloat(x: number, bits: 32 | 64): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  let shortest = x;
  if (bits === 32) {
    const single = Math.fround(x);
    for (let precision = 1; precision <= 9; precision++) {
      shortest = Number(single.toPrecision(precision));
      if (Math.fround(shortest) === single) break;
    }
  }
  if (shortest === 0) return Object.is(shortest, -0) ? '-0' : '0';
  const [mantissa, exponentText] = shortest.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(shortest);
}
