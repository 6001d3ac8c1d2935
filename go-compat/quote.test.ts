import { describe, expect, it } from 'vitest';
import { goQuote, goQuoteList } from './quote.ts';

const quote = (s: string) => goQuote(Buffer.from(s, 'utf8'));

describe("goQuote (Go's %q)", () => {
  it.each([
    ['plain ASCII', 'redirect TCP traffic', '"redirect TCP traffic"'],
    ["keeps the apostrophe (iptables-save, not Go, escapes it)", "envoy's port", `"envoy's port"`],
    ['escapes quote and backslash', 'a"b\\c', '"a\\"b\\\\c"'],
    ['named control escapes', '\u0007\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['other control characters as \\x', '\u0001\u001f\u007f', '"\\x01\\x1f\\x7f"'],
    ['printable Unicode kept', 'héllo ✓ 日本', '"héllo ✓ 日本"'],
    ['non-printable BMP as \\u', 'a\u00a0b\u200bc', '"a\\u00a0b\\u200bc"'],
    ['non-printable astral as \\U', '\u{e0001}', '"\\U000e0001"'],
  ])('%s', (_name, input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it('prints the bytes of a cut multi-byte character as \\x, like Go', () => {
    const bytes = Buffer.from('ab✓', 'utf8').subarray(0, 4); // 'a', 'b', first two bytes of U+2713
    expect(goQuote(bytes)).toBe('"ab\\xe2\\x9c"');
  });

  it('rejects overlong and surrogate encodings byte by byte', () => {
    expect(goQuote(Uint8Array.from([0xc0, 0x80]))).toBe('"\\xc0\\x80"');
    expect(goQuote(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe('"\\xed\\xa0\\x80"');
  });

  it('quotes a string as its UTF-8 bytes, and a list as Go prints a []string', () => {
    expect(goQuote('a\u0001✓')).toBe('"a\\x01✓"');
    expect(goQuoteList(['a', 'b"c'])).toBe('["a" "b\\"c"]');
  });
  it('quotes a megabyte-long value (a hostile namespace) without overflowing the stack', () => {
    const long = 'n'.repeat(1 << 20);
    expect(goQuote(long)).toBe(`"${long}"`);
    expect(goQuote(`${long}\n`)).toBe(`"${long}\\n"`);
  });
});
