import { describe, expect, it } from 'vitest';
import { canonicalAddress, parseRuleLine, ruleKey, tokenize } from './rule-key.ts';

const key = (line: string) => ruleKey(tokenize(line));

describe('tokenize', () => {
  it('keeps quoted comments whole and undoes iptables-save escapes', () => {
    expect(tokenize(`-A X -m comment --comment "the envoy\\'s port" -j RETURN`)).toEqual(['-A', 'X', '-m', 'comment', '--comment', "the envoy's port", '-j', 'RETURN']);
    expect(tokenize(`--comment "a \\"quoted\\" word"`)).toEqual(['--comment', 'a "quoted" word']);
  });
});

describe('ruleKey: the rendered form and the iptables-save form of a rule are equal', () => {
  it.each([
    [
      '-m comment --comment "c" -p tcp ! --dport 53 -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT',
      '! -d 127.0.0.1/32 -o lo -p tcp -m comment --comment "c" -m tcp ! --dport 53 -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT',
    ],
    [
      '-m comment --comment "c" -m multiport -p tcp --dport 53,3000:5000 -m owner --uid-owner 106:108 -j RETURN',
      '-p tcp -m comment --comment "c" -m multiport --dports 53,3000:5000 -m owner --uid-owner 106-108 -j RETURN',
    ],
    ['-m comment --comment "c" -d 10.0.0.1 -j RETURN', '-d 10.0.0.1/32 -m comment --comment "c" -j RETURN'],
    ['-s 172.32.16.8/16 -j RETURN', '-s 172.32.0.0/16 -j RETURN'],
    ['--protocol udp --destination-port 53 --jump REDIRECT --to-ports 15053', '-p udp -m udp --dport 53 -j REDIRECT --to-ports 15053'],
    ['-m comment --comment "c" -s ::6/128 -o lo -j RETURN', '-s ::6/128 -o lo -m comment --comment "c" -j RETURN'],
  ])('%s', (rendered, saved) => {
    expect(key(rendered)).toBe(key(saved));
  });

  it.each([
    ['-p tcp --dport 53 -j RETURN', '-p tcp ! --dport 53 -j RETURN'],
    ['-p tcp --dport 53 -j RETURN', '-p udp --dport 53 -j RETURN'],
    ['-m multiport -p tcp --dports 53 -j RETURN', '-p tcp --dport 53 -j RETURN'],
    ['-m comment --comment "a" -j RETURN', '-m comment --comment "b" -j RETURN'],
    ['-d 10.0.0.1 -j RETURN', '-d 10.0.0.2 -j RETURN'],
    ['-j REDIRECT --to-ports 15001', '-j REDIRECT --to-ports 15006'],
  ])('tells different rules apart: %s | %s', (a, b) => {
    expect(key(a)).not.toBe(key(b));
  });
});

describe('canonicalAddress', () => {
  it('adds the host mask and masks the network, as iptables-save prints it', () => {
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1/32');
    expect(canonicalAddress('192.168.0.77/24')).toBe('192.168.0.0/24');
    expect(canonicalAddress('fe80::1')).toBe('fe80::1/128');
    expect(canonicalAddress('FD00:0:0::1/8')).toBe('fd00::/8');
    expect(canonicalAddress('a81b:a033:6399:73c7:72b6:aa8c:6f22:7098')).toBe('a81b:a033:6399:73c7:72b6:aa8c:6f22:7098/128');
    expect(canonicalAddress('::1/128')).toBe('::1/128');
  });
});

describe('parseRuleLine', () => {
  it('reads -N, -A and -I with and without a position', () => {
    expect(parseRuleLine('-N KUMA_MESH_INBOUND')).toEqual({ op: 'new-chain', chain: 'KUMA_MESH_INBOUND' });
    expect(parseRuleLine('-I PREROUTING 2 -p tcp -j X')).toMatchObject({ op: 'insert', chain: 'PREROUTING', position: 2 });
    expect(parseRuleLine('-I PREROUTING -p tcp -j X')).toMatchObject({ op: 'insert', position: 1 });
    expect(parseRuleLine('-A OUTPUT -j X')).toMatchObject({ op: 'append', chain: 'OUTPUT' });
    expect(parseRuleLine('-P OUTPUT DROP')).toBeUndefined();
  });
});
