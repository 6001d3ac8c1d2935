// Go's net.IP.String() and IsLoopback over the config area's Go-compatible
// parse result. Kuma keeps resolv.conf nameservers as net.IP, so they appear
// in rules and comments in Go's canonical form (`FD00::000A` → `fd00::a`,
// `::ffff:10.0.0.1` → `10.0.0.1`).

import type { GoIp } from '../config/index.ts';

/** 127.0.0.0/8 or ::1. */
export function isGoLoopback(ip: GoIp): boolean {
  if (ip.isIPv4) return ip.bytes[12] === 127;
  return ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1;
}

/** Dotted IPv4, else RFC 5952 text: lower-case hex, the longest run of two or more zero groups (first on a tie) as `::`. */
export function formatGoIp(ip: GoIp): string {
  if (ip.isIPv4) return ip.bytes.slice(12).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return bestStart < 0 ? hex(0, 8) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
