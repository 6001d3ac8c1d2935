// `kuma-init install|uninstall transparent-proxy --nftables` in a network
// namespace that other tools already use (a native nft table, iptables-nft
// rules in both families, iptables-legacy rules): install adds our table only,
// a second install changes nothing, uninstall leaves every other rule byte for byte.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { kumaInit } from '../../test-support/init/traffic-setup.ts';

const OTHER_TABLE = 'table inet other {\n\tchain out {\n\t\ttype nat hook output priority -100; policy accept;\n\t\ttcp dport 8080 redirect to :9999\n\t}\n}\n';

describe.skipIf(missingRootTools('ip', 'nft', 'iptables-nft', 'ip6tables-nft', 'iptables-legacy'))('kuma-init --nftables next to other tools', () => {
  let ns: Netns;
  let dir: string;
  const ruleset = () => ns.runOk('nft', ['list', 'ruleset']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kuma-nft-cli-'));
    ns = await createNetns('nftcli');
    writeFileSync(join(dir, 'other.nft'), OTHER_TABLE);
    await ns.runOk('nft', ['-f', join(dir, 'other.nft')]);
    await ns.runOk('iptables-nft', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '5000', '-j', 'RETURN']);
    await ns.runOk('ip6tables-nft', ['-A', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
    await ns.runOk('iptables-legacy', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '7', '-j', 'RETURN']);
  });
  afterAll(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs our table only, changes nothing the second time, and uninstall restores the ruleset byte for byte', async () => {
    const before = await ruleset();
    const legacyBefore = await ns.iptablesSave('iptables-legacy-save');
    const args = ['transparent-proxy', '--nftables', '--kuma-dp-user', '0', '--redirect-dns'];
    const first = await kumaInit(ns, ['install', ...args]);
    expect(first).toMatch(/installed in one transaction \(nftables table inet kuma/);
    const installed = await ruleset();
    expect(installed).toContain('table inet kuma {');
    expect(installed).toContain(OTHER_TABLE.split('\n')[0]);
    const second = await kumaInit(ns, ['install', ...args]);
    expect(second).toMatch(/already installed as rendered .* nothing to change/);
    expect(await ruleset()).toBe(installed);
    expect(await kumaInit(ns, ['uninstall', 'transparent-proxy', '--nftables'])).toMatch(/table inet kuma deleted/);
    expect(await ruleset()).toBe(before);
    expect(await ns.iptablesSave('iptables-legacy-save')).toBe(legacyBefore);
  });

  it('uninstall without our table says so and changes nothing', async () => {
    const before = await ruleset();
    expect(await kumaInit(ns, ['uninstall', 'transparent-proxy', '--nftables'])).toMatch(/No cleanup necessary/);
    expect(await ruleset()).toBe(before);
  });

  it('dry run prints the nft script and touches nothing', async () => {
    const before = await ruleset();
    const out = await kumaInit(ns, ['install', 'transparent-proxy', '--nftables', '--kuma-dp-user', '0', '--dry-run']);
    expect(out).toMatch(/^table inet kuma \{\}\ndelete table inet kuma\ntable inet kuma \{\n/m);
    expect(await ruleset()).toBe(before);
  });
});
