import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from '../config/index.ts';
import { RenderError } from './errors.ts';
import { NFT_DELETE_SCRIPT, renderNftRules, type NftRules } from './nft.ts';
import { renderRules } from './render.ts';
import { configArbitrary, profileArbitrary } from '../../test-support/init/test-arbitraries.ts';
import { fullProfile, withFamily } from '../../test-support/init/test-fixtures.ts';

const configWith = (change: (c: TransparentProxyConfig) => void) => {
  const config = defaultConfig();
  change(config);
  return config;
};

/** The rule lines of one chain of the table. */
function chainRules(rules: NftRules, chain: string): string[] {
  const lines = rules.table.split('\n');
  const start = lines.indexOf(`\tchain ${chain} {`);
  if (start < 0) throw new Error(`no chain ${chain}`);
  const end = lines.indexOf('\t}', start);
  return lines
    .slice(start + 1, end)
    .map((l) => l.trim())
    .filter((l) => !l.startsWith('type '));
}

const chainNames = (rules: NftRules) => [...rules.table.matchAll(/\tchain (\S+) \{/g)].map((m) => m[1]!);

describe('renderNftRules', () => {
  it('is one transaction that replaces our table: the delete idiom, then the table', () => {
    const rules = renderNftRules(defaultConfig(), fullProfile());
    expect(rules.script).toBe(NFT_DELETE_SCRIPT + rules.table);
    expect(NFT_DELETE_SCRIPT).toBe('table inet kuma {}\ndelete table inet kuma\n');
    expect(rules.table.startsWith('table inet kuma {\n')).toBe(true);
    expect(rules.families).toEqual(['ipv4', 'ipv6']);
  });

  it('hooks the base chains at iptables’ priorities, nat just before iptables’ own', () => {
    const rules = renderNftRules(configWith((c) => ((c.redirect.dns.enabled = true), (c.dropInvalidPackets = true))), fullProfile());
    expect(rules.table).toContain('chain raw_OUTPUT {\n\t\ttype filter hook output priority -300; policy accept;');
    expect(rules.table).toContain('chain raw_PREROUTING {\n\t\ttype filter hook prerouting priority -300;');
    expect(rules.table).toContain('chain nat_OUTPUT {\n\t\ttype nat hook output priority -101;');
    expect(rules.table).toContain('chain nat_PREROUTING {\n\t\ttype nat hook prerouting priority -101;');
    expect(rules.table).toContain('chain mangle_PREROUTING {\n\t\ttype filter hook prerouting priority -150;');
    expect(chainRules(rules, 'nat_OUTPUT')).toEqual(['meta nfproto ipv4 jump ipv4_nat_OUTPUT', 'meta nfproto ipv6 jump ipv6_nat_OUTPUT']);
  });

  it('without IPv6 rules, IPv6 packets are not dispatched anywhere', () => {
    const rules = renderNftRules(configWith((c) => (c.ipFamilyMode = 'ipv4')), fullProfile());
    expect(rules.families).toEqual(['ipv4']);
    expect(rules.table).not.toMatch(/ipv6|ip6 /);
  });

  it('keeps the order the kernel gives the iptables rules: inserts in order, then appends', () => {
    const rules = renderNftRules(
      configWith((c) => {
        c.redirect.dns.enabled = true;
        c.redirect.outbound.insertRedirectInsteadOfAppend = true;
      }),
      fullProfile({ ipv6Usable: false }),
    );
    expect(chainRules(rules, 'ipv4_nat_OUTPUT').map((l) => l.replace(/ comment ".*"$/, ''))).toEqual([
      'udp dport 53 meta skuid 5678 return',
      'ip daddr 10.96.0.10 udp dport 53 redirect to :15053',
      'meta l4proto tcp jump ipv4_KUMA_MESH_OUTBOUND',
      'tcp dport 53 meta skuid != 5678 return',
    ]);
  });

  it("returns where iptables jumps to Docker's DOCKER_OUTPUT (Docker's own nat chain runs after ours)", () => {
    const profile = withFamily(fullProfile({ ipv6Usable: false }), 'ipv4', (fp) => ({ ...fp, dockerOutput: true }));
    const rules = renderNftRules(configWith((c) => (c.redirect.dns.enabled = true)), profile);
    expect(chainRules(rules, 'ipv4_nat_OUTPUT')[0]).toMatch(/^udp dport 53 meta skuid 5678 return comment/);
    expect(rules.table).not.toMatch(/jump \S*DOCKER_OUTPUT/);
  });

  it('comments follow the plan: off when disabled, Kuma’s text without its prefix otherwise', () => {
    expect(renderNftRules(configWith((c) => (c.comments.disabled = true)), fullProfile()).table).not.toContain('comment');
    const rules = renderNftRules(defaultConfig(), fullProfile());
    expect(rules.table).toContain('redirect to :15001 comment "redirect TCP traffic to envoy (port 15001)"');
    expect(rules.table).not.toContain('kuma/mesh/transparent/proxy');
  });

  it('refuses names nft cannot hold, with a RenderError', () => {
    const badChain = configWith((c) => (c.redirect.inbound.chainName = 'IN BOUND'));
    expect(() => renderNftRules(badChain, fullProfile())).toThrow(RenderError);
    const badIface = configWith((c) => (c.redirect.vnet.networks = ['br"0:172.17.0.0/16']));
    expect(() => renderNftRules(badIface, fullProfile())).toThrow(/interface name 'br"0'/);
    // The iptables output of the same configuration is unaffected.
    expect(() => renderRules(badIface, fullProfile())).not.toThrow();
  });

  it('holds one nft rule per iptables rule, every jump to a chain of the table, for generated configurations', () => {
    fc.assert(
      fc.property(configArbitrary, profileArbitrary, (config, profile) => {
        const iptables = renderRules(config, profile);
        const nft = renderNftRules(config, profile);
        const names = chainNames(nft);
        expect(nft.families).toEqual(iptables.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4']);
        for (const family of nft.families) {
          const restore = iptables[family]!.restoreInput;
          const iptablesRules = restore.split('\n').filter((l) => /^(-A|-I|--append|--insert) /.test(l)).length;
          const nftRules = names.filter((n) => n.startsWith(`${family}_`)).flatMap((n) => chainRules(nft, n)).length;
          expect(nftRules).toBe(iptablesRules);
        }
        for (const [, target] of nft.table.matchAll(/ jump (\S+)/g)) expect(names).toContain(target);
      }),
      { numRuns: 200 },
    );
  });
});
