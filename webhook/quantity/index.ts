// Kubernetes resource.Quantity: parse and canonical String(), as the typed
// Pod round trip renders it (`1000m` → `1`, `1024Mi` → `1Gi`, `1100m` stays).

export class QuantityError extends Error {}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const NANO = 10n ** 9n;

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Quantity {
  /** Value in units of 10^-9 (rounded up, as Kubernetes does below nano precision). */
  nanos: bigint;
  format: Format;
}

function decimalToNanos(digits: string, exponent: number): bigint {
  const [whole = '', frac = ''] = digits.split('.');
  let mantissa = BigInt((whole || '0') + frac);
  let scale = exponent + 9 - frac.length;
  if (scale >= 0) return mantissa * 10n ** BigInt(scale);
  const divisor = 10n ** BigInt(-scale);
  const rounded = mantissa / divisor;
  mantissa = rounded * divisor === mantissa ? rounded : rounded + 1n;
  scale = 0;
  return mantissa;
}

export function parseQuantity(text: string): Quantity {
  const error = (): QuantityError =>
    new QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const match = SHAPE.exec(text);
  if (!match || (match[1]!.match(/\./g)?.length ?? 0) > 1 || /^[+-]?\.?$/.test(match[1]!)) throw error();
  const negative = match[1]!.startsWith('-');
  const digits = match[1]!.replace(/^[+-]/, '');
  const suffix = match[2]!;
  let nanos: bigint;
  let format: Format;
  if (suffix in DECIMAL) {
    nanos = decimalToNanos(digits, DECIMAL[suffix]!);
    format = 'DecimalSI';
  } else if (suffix in BINARY) {
    const base = decimalToNanos(digits, 0);
    nanos = base * 1024n ** BigInt(BINARY[suffix]!);
    format = 'BinarySI';
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    nanos = decimalToNanos(digits, Number(suffix.slice(1)));
    format = 'DecimalExponent';
  } else {
    throw error();
  }
  return { nanos: negative ? -nanos : nanos, format };
}

function formatDecimal(nanos: bigint, exponentStyle: boolean): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  let mantissa = nanos < 0n ? -nanos : nanos;
  let exponent = -9;
  while (exponent < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (exponentStyle) return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  const suffix = Object.keys(DECIMAL).find((key) => DECIMAL[key] === exponent)!;
  return `${sign}${mantissa}${suffix}`;
}

function formatBinary(nanos: bigint): string {
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (magnitude % NANO !== 0n || magnitude < 1024n * NANO) return formatDecimal(nanos, false);
  const sign = nanos < 0n ? '-' : '';
  let mantissa = magnitude / NANO;
  let power = 0;
  while (power < 6 && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power += 1;
  }
  const suffix = Object.keys(BINARY).find((key) => BINARY[key] === power) ?? '';
  return `${sign}${mantissa}${suffix}`;
}

/** resource.MustParse(text).String(). */
export function canonicalQuantity(text: string): string {
  const quantity = parseQuantity(text);
  if (quantity.format === 'BinarySI') return formatBinary(quantity.nanos);
  return formatDecimal(quantity.nanos, quantity.format === 'DecimalExponent');
}

/** MilliValue (rounded up), for the sidecar's concurrency. */
export function milliValue(text: string): number {
  const { nanos } = parseQuantity(text);
  const milli = nanos / 1_000_000n;
  return Number(milli * 1_000_000n === nanos || nanos < 0n ? milli : milli + 1n);
}
