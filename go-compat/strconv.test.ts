import { describe, expect, it } from 'vitest';
import { formatGoFloat, GoValueError, parseGoBool, parseGoUint } from './index.ts';

describe('Go strconv', () => {
  it('ParseBool takes exactly Go\'s words', () => {
    for (const word of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(word)).toBe(true);
    for (const word of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(word)).toBe(false);
    expect(() => parseGoBool('yes')).toThrow(new GoValueError('strconv.ParseBool: parsing "yes": invalid syntax'));
  });

  it('ParseUint with base 0: prefixes, octal, underscores, range', () => {
    expect(parseGoUint('0x1f', 16)).toBe(31);
    expect(parseGoUint('017', 16)).toBe(15);
    expect(parseGoUint('1_000', 16)).toBe(1000);
    expect(() => parseGoUint('65536', 16)).toThrow('strconv.ParseUint: parsing "65536": value out of range');
    expect(() => parseGoUint('-1', 16)).toThrow('strconv.ParseUint: parsing "-1": invalid syntax');
  });

  it("FormatFloat 'g' -1", () => {
    expect(formatGoFloat(0.1, 32)).toBe('0.1');
    expect(formatGoFloat(1e21, 64)).toBe('1e+21');
    expect(formatGoFloat(0.00001, 64)).toBe('1e-05');
    expect(formatGoFloat(-0, 64)).toBe('-0');
  });
});
