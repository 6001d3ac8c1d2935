// Go's time.Duration: ParseDuration and String, in nanoseconds (a JS number
// is exact up to ~104 days, far beyond any timeout or drain time).
import { GoValueError } from './errors.ts';
import { goQuote } from './quote.ts';

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

/** Go `time.ParseDuration`, in whole nanoseconds; errors in Go's words. */
export function parseGoDuration(orig: string): number {
  const invalid = () => new GoValueError(`time: invalid duration ${goQuote(orig)}`);
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
    const [text, whole = '', fraction] = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    s = s.slice(text.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') throw new GoValueError(`time: missing unit in duration ${goQuote(orig)}`);
    const scale = nanosPerUnit[unit];
    if (scale === undefined) throw new GoValueError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    nanos += Number(`${whole || '0'}.${fraction ?? ''}0`) * scale;
    s = s.slice(unit.length);
  }
  if (nanos > 2 ** 63 - 1) throw invalid();
  return sign * Math.round(nanos);
}

function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  let frac = value % unit;
  if (frac === 0) return String(whole);
  let digits = '';
  for (let scale = unit / 10; scale >= 1 && frac > 0; scale /= 10) {
    const digit = Math.floor(frac / scale);
    digits += String(digit);
    frac -= digit * scale;
  }
  return `${whole}.${digits}`;
}

/** Go `time.Duration.String`: `31s`, `1m30s`, `1h0m0s`, `500ms`, `0s`. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${fraction(abs, 1e3)}µs`;
  if (abs < 1e9) return `${sign}${fraction(abs, 1e6)}ms`;
  const hours = Math.floor(abs / 3600e9);
  const minutes = Math.floor((abs % 3600e9) / 60e9);
  const seconds = fraction(abs % 60e9, 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
