// Go's strconv parsers and float formatting that Kuma's messages and
// behaviour depend on. Errors carry Go's exact texts.
import { GoValueError } from './errors.ts';
import { goQuote } from './quote.ts';

const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean {
  if (trueWords.has(s)) return true;
  if (falseWords.has(s)) return false;
  throw new GoValueError(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go `strconv.ParseUint(s, 0, bits)`: base prefixes 0x, 0o, 0b and a leading 0 (octal), underscores between digits. */
export function parseGoUint(s: string, bits: 16 | 64): number {
  const syntax = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/;
  if (!syntax.test(s)) throw new GoValueError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const digits = s.replaceAll('_', '');
  const value = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (value > (1n << BigInt(bits)) - 1n) throw new GoValueError(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return Number(value);
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
