import { describe, expect, it } from 'vitest';
import { parseGoIp } from '../config/ip-address.ts';
import { formatGoIp, isGoLoopback } from './go-ip.ts';

const ip = (s: string) => {
  const parsed = parseGoIp(s);
  if (!parsed) throw new Error(`test address ${s} does not parse`);
  return parsed;
};

describe("Go's net.IP String() and IsLoopback", () => {
  it.each([
    ['10.96.0.10', '10.96.0.10'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['FD00:0010:0096:0000:0000:0000:0000:000A', 'fd00:10:96::a'],
    ['fe80:0:0:1:0:0:0:1', 'fe80:0:0:1::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:2:3:4:5:6:0:8', '1:2:3:4:5:6:0:8'],
    ['::', '::'],
    ['::1', '::1'],
    ['::1.2.3.4', '::102:304'],
    ['2001:db8::', '2001:db8::'],
  ])('%s → %s', (input, expected) => {
    expect(formatGoIp(ip(input))).toBe(expected);
  });

  it.each([
    ['127.0.0.11', true],
    ['127.255.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::2', false],
    ['fd00::1', false],
  ])('IsLoopback(%s) = %s', (input, expected) => {
    expect(isGoLoopback(ip(input))).toBe(expected);
  });
});
