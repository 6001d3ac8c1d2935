import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.ts';
import { renderRules } from './render.ts';
import { fullProfile } from '../../test-support/init/test-fixtures.ts';

describe('renderRules: structured data for the executor', () => {
  it('lists the tables in restore order and the chains it creates', () => {
    const config = defaultConfig();
    config.redirect.dns.enabled = true;
    config.dropInvalidPackets = true;
    const { ipv4, ipv6 } = renderRules(config, fullProfile());
    for (const family of [ipv4, ipv6!]) {
      expect(family.tables).toEqual(['raw', 'nat', 'mangle']);
      expect(family.customChains).toEqual(['KUMA_MESH_INBOUND', 'KUMA_MESH_OUTBOUND', 'KUMA_MESH_INBOUND_REDIRECT', 'KUMA_MESH_OUTBOUND_REDIRECT']);
      const sections = family.restoreInput.split('\n').filter((l) => l.startsWith('* '));
      expect(sections).toEqual(['* raw', '* nat', '* mangle']);
      expect(family.restoreInput.endsWith('COMMIT\n')).toBe(true);
    }
    expect([ipv4.family, ipv6?.family]).toEqual(['ipv4', 'ipv6']);
  });

  it('says whether the rules carry comments (cleanup needs them)', () => {
    const config = defaultConfig();
    expect(renderRules(config, fullProfile()).ipv4.commented).toBe(true);
    config.comments.disabled = true;
    const { ipv4 } = renderRules(config, fullProfile());
    expect(ipv4.commented).toBe(false);
    expect(ipv4.restoreInput).not.toContain('kuma/mesh/transparent/proxy');
  });

  it('applies the chain name settings (env-only in Kuma)', () => {
    const config = defaultConfig();
    config.redirect.inbound.chainName = 'IN';
    config.redirect.outbound.redirectChainName = 'OUT_R';
    const { ipv4 } = renderRules(config, fullProfile({ ipv6Usable: false }));
    expect(ipv4.customChains).toEqual(['KUMA_MESH_IN', 'KUMA_MESH_OUTBOUND', 'KUMA_MESH_INBOUND_REDIRECT', 'KUMA_MESH_OUT_R']);
    expect(ipv4.restoreInput).toContain('-p tcp -j KUMA_MESH_IN\n');
  });
});
