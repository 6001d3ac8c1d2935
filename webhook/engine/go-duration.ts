// Go time.Duration: ParseDuration and String, in nanoseconds (a JS number
// is exact up to ~104 days, far beyond any drain time).

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export class DurationError extends Error {}

/** time.ParseDuration; throws `time: invalid duration "<v>"` like Go. */
export function parseGoDuration(text: string): number {
  const invalid = (): DurationError => new DurationError(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (!match || match[1] === '' || match[1] === '.') {
      if (match === null && /^[0-9.]+$/.test(rest)) {
        throw new DurationError(`time: missing unit in duration ${JSON.stringify(text)}`);
      }
      if (match === null && /^[0-9.]+/.test(rest)) {
        const unit = rest.replace(/^[0-9.]+/, '');
        throw new DurationError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
      }
      throw invalid();
    }
    total += Number(match[1]) * UNITS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * Math.round(total);
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

/** time.Duration.String: `31s`, `1m30s`, `1h0m0s`, `500ms`, `0s`. */
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
