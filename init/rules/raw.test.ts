import { describe, expect, it } from 'vitest';
import type { TransparentProxyConfig } from '../config/config.ts';
import { buildRawTable } from './raw.ts';
import { renderTable } from './table.ts';
import { familyPlan, fullProfile, withFamily } from '../../test-support/init/test-fixtures.ts';

const raw = (change: (c: TransparentProxyConfig) => void, profile = fullProfile()) =>
  renderTable(buildRawTable(familyPlan(change, 'ipv4', profile)), { verbose: false, comments: false });

describe('raw table (DNS conntrack zone split)', () => {
  it('is absent without DNS redirection, with skipConntrackZoneSplit or without the conntrack module', () => {
    expect(raw(() => {})).toBeUndefined();
    expect(raw((c) => Object.assign(c.redirect.dns, { enabled: true, skipConntrackZoneSplit: true }))).toBeUndefined();
    const noConntrack = withFamily(fullProfile(), 'ipv4', (fp) => ({ ...fp, modules: { ...fp.modules, conntrack: false } }));
    expect(raw((c) => (c.redirect.dns.enabled = true), noConntrack)).toBeUndefined();
  });

  it('captureAll: zone 1 for all responses, zone 2 for all requests; PREROUTING prints first', () => {
    expect(raw((c) => Object.assign(c.redirect.dns, { enabled: true, captureAll: true, port: 12345 }))?.split('\n')).toEqual([
      '* raw',
      '-A PREROUTING -p udp --sport 53 -j CT --zone 1',
      '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 5678 -j CT --zone 1',
      '-A OUTPUT -p udp --sport 12345 -m owner --uid-owner 5678 -j CT --zone 2',
      '-A OUTPUT -p udp --dport 53 -j CT --zone 2',
      'COMMIT',
    ]);
  });

  it('per nameserver, with the extra zone-1 rule for a loopback resolver', () => {
    const profile = fullProfile({ nameservers: ['127.0.0.11', '10.0.0.2'] });
    expect(raw((c) => (c.redirect.dns.enabled = true), profile)?.split('\n')).toEqual([
      '* raw',
      '-A PREROUTING -s 127.0.0.11 -p udp --sport 53 -j CT --zone 1',
      '-A PREROUTING -s 10.0.0.2 -p udp --sport 53 -j CT --zone 1',
      '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 5678 -j CT --zone 1',
      '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 5678 -j CT --zone 2',
      '-A OUTPUT -d 127.0.0.11 -p udp --dport 53 -j CT --zone 2',
      '-A OUTPUT -s 127.0.0.11 -d 127.0.0.1/32 -p udp -j CT --zone 1',
      '-A OUTPUT -d 10.0.0.2 -p udp --dport 53 -j CT --zone 2',
      'COMMIT',
    ]);
  });
});
