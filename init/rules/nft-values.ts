// Values of one rule in nftables spelling, written the way `nft list` prints
// them back (sets sorted and merged, prefixes masked, `/32` dropped, IPv6 as
// glibc's inet_ntop writes it), so that an installed table can be compared
// with the rendered one as text (docs/nftables.md, idempotency).

import { parseGoIp } from '../config/index.ts';
import { RenderError } from './errors.ts';
import { formatGoIp } from './go-ip.ts';

type Interval = readonly [low: number, high: number];

/** Sorted, with overlapping and adjacent intervals merged: nft's own normal form for anonymous sets. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [low, high] of sorted) {
    const last = merged.at(-1);
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

const intervalText = ([low, high]: Interval): string => (low === high ? String(low) : `${low}-${high}`);

/**
 * An iptables number list (`53`, `1000:2000`, multiport `53,3000:5000`) as an nft value:
 * `53`, `1000-2000`, `{ 53, 3000-5000 }`.
 */
export function nftNumbers(list: number | string): string {
  const intervals = String(list)
    .split(',')
    .filter((item) => item.trim() !== '')
    .map((item): Interval => {
      const [low, high = low] = item.split(':').map((n) => Number(n.trim()));
      return [low!, high!];
    });
  const merged = mergeIntervals(intervals);
  return merged.length === 1 ? intervalText(merged[0]!) : `{ ${merged.map(intervalText).join(', ')} }`;
}

/** glibc's inet_ntop, which nft prints with: Go's RFC 5952 text, except an embedded IPv4 address (`::a.b.c.d`, `::ffff:a.b.c.d`). */
function ipv6Text(bytes: readonly number[]): string {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const ipv4 = bytes.slice(12).join('.');
  if (zeros(0, 12) && !zeros(12, 14)) return `::${ipv4}`;
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${ipv4}`;
  return formatGoIp({ bytes: [...bytes], isIPv4: false, bitLength: 128 });
}

/**
 * An address or CIDR of the plan (`10.0.0.1`, `127.0.0.1/32`, `10.1.2.3/8`, `FD00::A/64`)
 * as nft prints it: host bits masked, a full-length prefix dropped.
 */
export function nftAddress(text: string): string {
  const [addressText = '', prefixText] = text.trim().split('/');
  const ip = parseGoIp(addressText);
  if (ip === undefined) throw new RenderError('NFT_VALUE_INVALID', `'${text}' is not an IP address or CIDR`);
  const bytes = ip.isIPv4 ? ip.bytes.slice(12) : ip.bytes;
  const bits = bytes.length * 8;
  // A mapped IPv6 literal with a prefix (`::ffff:10.0.0.0/104`) counts its prefix over 128 bits.
  const offset = ip.isIPv4 && ip.bitLength === 128 ? 96 : 0;
  const prefix = prefixText === undefined ? bits : Math.max(0, Number(prefixText) - offset);
  const masked = bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, prefix - 8 * i));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  const address = ip.isIPv4 ? masked.join('.') : ipv6Text(masked);
  return prefix === bits ? address : `${address}/${prefix}`;
}

/**
 * An interface name as an nft string; iptables' trailing `+` (prefix match) is nft's `*`.
 * Names nft cannot hold literally are refused rather than rewritten.
 */
export function nftInterface(name: string): string {
  const wildcard = name.endsWith('+');
  const base = wildcard ? name.slice(0, -1) : name;
  if (base === '' || !/^[\x21-\x7e]+$/.test(base) || /["*\\]/.test(base)) {
    throw new RenderError(
      'NFT_VALUE_INVALID',
      `interface name '${name}' cannot be written in an nftables rule (printable ASCII without '"', '*' or '\\' expected)`,
    );
  }
  return `"${base}${wildcard ? '*' : ''}"`;
}

/** A chain name of our table; iptables allows characters that nft identifiers do not. */
export function nftChainName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(name)) {
    throw new RenderError(
      'NFT_VALUE_INVALID',
      `chain name '${name}' cannot be an nftables chain name (letters, digits, '_', '.', '/' and '-' expected)`,
    );
  }
  return name;
}

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;

/** `level <name>`; nft leaves out its default, `warn`. */
export function nftLogLevel(level: number): string {
  const name = LOG_LEVELS[level];
  if (name === undefined) throw new RenderError('NFT_VALUE_INVALID', `log level ${level} is not a syslog level (0-7)`);
  return name === 'warn' ? '' : ` level ${name}`;
}

/** nft keeps at most 128 bytes of a rule comment, and its strings have no escapes. */
export const NFT_COMMENT_MAX_BYTES = 128;

/** `comment "<text>"`: quotes and control characters replaced, cut to 128 bytes on a character boundary. */
export function nftComment(text: string): string {
  const chars = Array.from(text.replace(/"/g, "'").replace(/[\x00-\x1f\x7f]/g, ' '));
  while (Buffer.byteLength(chars.join(''), 'utf8') > NFT_COMMENT_MAX_BYTES) chars.pop();
  return `comment "${chars.join('').trimEnd()}"`;
}
