import { describe, expect, it } from 'vitest';
import {
  comment,
  ctstate,
  ctZone,
  destination,
  dport,
  inInterface,
  jump,
  logTo,
  match,
  multiport,
  outInterface,
  ownerUid,
  protocol,
  redirectTo,
  source,
  sport,
  type Param,
} from './params.ts';

const both = (p: Param) => [p(false).join(' '), p(true).join(' ')];

describe('rule parameters: short and verbose forms', () => {
  it.each([
    ['protocol with destination port', protocol('tcp', dport(22)), '-p tcp --dport 22', '--protocol tcp --destination-port 22'],
    ['negated destination port', protocol('tcp', dport(53, true)), '-p tcp ! --dport 53', '--protocol tcp ! --destination-port 53'],
    ['source port', protocol('udp', sport(15053)), '-p udp --sport 15053', '--protocol udp --source-port 15053'],
    ['multiport list stays --dport', protocol('udp', dport('53,3000:5000')), '-p udp --dport 53,3000:5000', '--protocol udp --destination-port 53,3000:5000'],
    ['protocol alone', protocol('tcp'), '-p tcp', '--protocol tcp'],
    ['source', source('127.0.0.6/32'), '-s 127.0.0.6/32', '--source 127.0.0.6/32'],
    ['destination', destination('::1/128'), '-d ::1/128', '--destination ::1/128'],
    ['negated destination', destination('172.17.0.0/16', true), '! -d 172.17.0.0/16', '! --destination 172.17.0.0/16'],
    ['in interface', inInterface('br+'), '-i br+', '--in-interface br+'],
    ['out interface', outInterface('lo'), '-o lo', '--out-interface lo'],
    ['owner', ownerUid('5678'), '-m owner --uid-owner 5678', '--match owner --uid-owner 5678'],
    ['negated owner', ownerUid('5678', true), '-m owner ! --uid-owner 5678', '--match owner ! --uid-owner 5678'],
    ['multiport', multiport(), '-m multiport', '--match multiport'],
    ['udp match', match('udp'), '-m udp', '--match udp'],
    ['conntrack state', ctstate('INVALID'), '-m conntrack --ctstate INVALID', '--match conntrack --ctstate INVALID'],
    ['jump', jump('KUMA_MESH_INBOUND'), '-j KUMA_MESH_INBOUND', '--jump KUMA_MESH_INBOUND'],
    ['redirect', redirectTo(15001), '-j REDIRECT --to-ports 15001', '--jump REDIRECT --to-ports 15001'],
    ['conntrack zone', ctZone(2), '-j CT --zone 2', '--jump CT --zone 2'],
    ['log', logTo('OUTPUT', 7), '-j LOG --log-prefix OUTPUT: --log-level 7', '--jump LOG --log-prefix OUTPUT: --log-level 7'],
  ])('%s', (_name, param, short, long) => {
    expect(both(param)).toEqual([short, long]);
  });

  it('prefixes and quotes comments', () => {
    expect(both(comment('log "it"'))).toEqual([
      '-m comment --comment "kuma/mesh/transparent/proxy/log \\"it\\""',
      '--match comment --comment "kuma/mesh/transparent/proxy/log \\"it\\""',
    ]);
  });

  it('cuts the prefixed comment to 254 bytes before quoting', () => {
    const text = `owned by UID ${'x'.repeat(300)}`;
    const [rendered] = comment(text)(false).slice(-1);
    expect(rendered).toBe(`"${`kuma/mesh/transparent/proxy/${text}`.slice(0, 254)}"`);
  });

  it('shows a multi-byte character split by the cut as Go does', () => {
    const prefixed = 'kuma/mesh/transparent/proxy/'.length;
    const text = `${'a'.repeat(254 - prefixed - 1)}é`; // é needs 2 bytes, only 1 fits
    expect(comment(text)(false).at(-1)).toBe(`"kuma/mesh/transparent/proxy/${'a'.repeat(254 - prefixed - 1)}\\xc3"`);
  });
});
