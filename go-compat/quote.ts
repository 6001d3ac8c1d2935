// Go's `%q` (strconv.Quote). Kuma quotes iptables comments after cutting them
// to 254 bytes, so a cut can split a multi-byte character: those stray bytes
// come out as `\xNN`, as in Go. Strings are quoted as their UTF-8 bytes.

const NAMED_ESCAPES: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Decodes one UTF-8 sequence at `i`: the code point and its length, or undefined when invalid. */
function decodeRune(bytes: Uint8Array, i: number): { rune: number; size: number } | undefined {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return { rune: b0, size: 1 };
  const size = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? (b0 <= 0xef ? 3 : 0) : b0 >= 0xc2 ? 2 : 0;
  if (size === 0 || i + size > bytes.length) return undefined;
  let rune = b0 & (0xff >> (size + 1));
  for (let k = 1; k < size; k++) {
    const b = bytes[i + k]!;
    if ((b & 0xc0) !== 0x80) return undefined;
    rune = (rune << 6) | (b & 0x3f);
  }
  const min = [0, 0, 0x80, 0x800, 0x10000][size]!;
  if (rune < min || rune > 0x10ffff || (rune >= 0xd800 && rune <= 0xdfff)) return undefined;
  return { rune, size };
}

function escapeRune(rune: number): string {
  if (rune === 0x22 || rune === 0x5c) return `\\${String.fromCodePoint(rune)}`;
  const char = String.fromCodePoint(rune);
  if (PRINTABLE.test(char)) return char;
  const named = NAMED_ESCAPES[rune];
  if (named) return named;
  if (rune < 0x20 || rune === 0x7f) return `\\x${hex(rune, 2)}`;
  if (rune < 0x10000) return `\\u${hex(rune, 4)}`;
  return `\\U${hex(rune, 8)}`;
}

/** Printable ASCII other than `"` and `\\`: Go leaves every byte as it is (all the comments Kuma renders). */
function isPlainAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) return false;
  return true;
}

/** Quotes a string (as its UTF-8 bytes) or raw bytes exactly as Go's `fmt.Sprintf("%q", …)`. */
export function goQuote(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  // The rune-by-rune path costs about a millisecond per kuma-init run before the JIT warms up.
  // latin1 of ASCII bytes is the text; a spread into fromCharCode overflows the stack on a long value.
  if (isPlainAscii(bytes)) return `"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}"`;
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const decoded = decodeRune(bytes, i);
    if (decoded === undefined) {
      out += `\\x${hex(bytes[i]!, 2)}`;
      i += 1;
    } else {
      out += escapeRune(decoded.rune);
      i += decoded.size;
    }
  }
  return `${out}"`;
}

/** Go `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map((v) => goQuote(v)).join(' ')}]`;
}
