// IP and CIDR parsing with Go's rules (net.ParseIP / net.ParseCIDR, built on
// netip.ParseAddr), because Kuma's accept/reject decisions and its IPv4/IPv6
// split (`ip.To4() != nil`) must be reproduced exactly: no zones, no leading
// zeros in IPv4, IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as IPv4.

export interface GoIp {
  /** 16 bytes, IPv4 as `::ffff:a.b.c.d` like Go's net.IP. */
  bytes: number[];
  /** Go `ip.To4() != nil`. */
  isIPv4: boolean;
  /** Bits of the literal form: 32 for dotted IPv4, 128 for any IPv6 text. */
  bitLength: 32 | 128;
}

function parseIPv4Bytes(s: string): number[] | undefined {
  const fields = s.split('.');
  if (fields.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const field of fields) {
    if (!/^[0-9]{1,3}$/.test(field) || (field.length > 1 && field.startsWith('0'))) return undefined;
    const value = Number(field);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIPv6Bytes(input: string): number[] | undefined {
  const ip = new Array<number>(16).fill(0);
  let s = input;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return ip;
  }
  let i = 0;
  while (i < 16) {
    const hex = /^[0-9a-fA-F]*/.exec(s)![0];
    if (hex.length === 0 || hex.length > 4) return undefined;
    if (s[hex.length] === '.') {
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return undefined;
      const v4 = parseIPv4Bytes(s);
      if (!v4) return undefined;
      ip.splice(i, 4, ...v4);
      s = '';
      i += 4;
      break;
    }
    const acc = parseInt(hex, 16);
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(hex.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const tail = ip.slice(ellipsis, i);
    ip.fill(0, ellipsis);
    ip.splice(16 - tail.length, tail.length, ...tail);
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return ip;
}

/** Go `net.ParseIP`; undefined where Go returns nil. */
export function parseGoIp(s: string): GoIp | undefined {
  const firstSeparator = /[.:%]/.exec(s)?.[0];
  if (firstSeparator === '.') {
    const v4 = parseIPv4Bytes(s);
    return v4 && { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4], isIPv4: true, bitLength: 32 };
  }
  if (firstSeparator !== ':') return undefined;
  const bytes = parseIPv6Bytes(s);
  if (!bytes) return undefined;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { bytes, isIPv4: mapped, bitLength: 128 };
}

/** Go `net.ParseCIDR`'s address part; undefined where Go returns an error. */
export function parseGoCidr(s: string): GoIp | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseGoIp(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^[0-9]{1,7}$/.test(bits) || Number(bits) > ip.bitLength) return undefined;
  return ip;
}
