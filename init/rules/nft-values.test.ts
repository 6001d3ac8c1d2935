import { describe, expect, it } from 'vitest';
import { RenderError } from './errors.ts';
import { nftAddress, nftChainName, nftComment, nftInterface, nftLogLevel, nftNumbers } from './nft-values.ts';

describe('nft values, as nft lists them', () => {
  it.each([
    [53, '53'],
    ['1000:2000', '1000-2000'],
    ['53,3000:5000', '{ 53, 3000-5000 }'],
    ['80,22,443', '{ 22, 80, 443 }'],
    ['5,1:10', '1-10'],
    ['1:5,6:10,20', '{ 1-10, 20 }'],
    ['3,4,3', '3-4'],
    ['4:4', '4'],
    [' 80, 81', '80-81'],
  ])('numbers %j → %s', (list, text) => {
    expect(nftNumbers(list)).toBe(text);
  });

  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['127.0.0.1/32', '127.0.0.1'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1/128', '::1'],
    ['FD00:0:0::000A', 'fd00::a'],
    ['fd00:1::/64', 'fd00:1::/64'],
    ['fd00:1:2:3::1/48', 'fd00:1:2::/48'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['fd00:0:1:0:1:0:1:0', 'fd00:0:1:0:1:0:1:0'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
  ])('address %s → %s', (text, nft) => {
    expect(nftAddress(text)).toBe(nft);
  });

  it('interfaces: quoted, iptables’ + wildcard as *, unwritable names refused', () => {
    expect(nftInterface('lo')).toBe('"lo"');
    expect(nftInterface('br+')).toBe('"br*"');
    for (const bad of ['a"b', 'a*', 'with space', '', '+', 'tab\t']) {
      expect(() => nftInterface(bad), bad).toThrow(RenderError);
    }
  });

  it('chain names: nft identifiers only', () => {
    expect(nftChainName('ipv4_KUMA_MESH_IN-1.x/y')).toBe('ipv4_KUMA_MESH_IN-1.x/y');
    expect(() => nftChainName('ipv4_KUMA MESH')).toThrow(/cannot be an nftables chain name/);
    expect(() => nftChainName('ipv4_KUMA"')).toThrow(RenderError);
  });

  it('log levels by syslog name, nft’s default (warn) left out', () => {
    expect([0, 3, 4, 7].map(nftLogLevel)).toEqual([' level emerg', ' level err', '', ' level debug']);
    expect(() => nftLogLevel(8)).toThrow(/not a syslog level/);
  });

  it('comments: at most 128 bytes, cut on a character boundary, no quotes or control characters', () => {
    const long = nftComment(`${'é'.repeat(70)}`);
    const text = long.slice('comment "'.length, -1);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(128);
    expect(text).toBe('é'.repeat(64));
    expect(nftComment('say "hi"\nnow')).toBe(`comment "say 'hi' now"`);
  });
});
