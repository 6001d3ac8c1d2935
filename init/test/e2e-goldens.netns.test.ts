// Kuma 2.13.10's debian-12 end-to-end iptables-save goldens
// (test/transparentproxy/testdata), reproduced by really installing in a fresh
// network namespace, plus Kuma's uninstall round trip. As in Kuma's harness
// (transparentproxy_test.go): `--kuma-dp-user kuma-dp` with user 5678
// present, the output of iptables-save, iptables-nft-save and
// iptables-legacy-save (ip6tables-* for IPv6) cleaned of `#` lines, with
// `-o <if>` → `-o ifPlaceholder` and chain counters stripped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance, missingRootTools } from '../../test-support/environment.ts';
import { defaultConfig, type TransparentProxyConfig } from '../config/config.ts';
import { loadInstallConfig } from '../config/load-install-config.ts';
import { install } from '../exec/install.ts';
import { uninstall } from '../exec/uninstall.ts';
import { detectProfile } from '../profile/detect.ts';
import { ensureLoadable } from '../exec/preflight.ts';
import { renderRules } from '../rules/render.ts';
import { connectPeer, createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { kumaDpPasswdLine, netnsDeps } from '../../test-support/init/netns-deps.ts';

const skip =
  missingRootTools('ip', 'iptables-save', 'iptables-nft-save', 'iptables-legacy-save', 'ip6tables-save', 'ip6tables-nft-save', 'ip6tables-legacy') ??
  missingConformance('tproxy-e2e');

/** Kuma's utils.CleanIptablesSaveOutput. */
function cleanSave(out: string): string {
  return out
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/-o ([^ ]+)/g, '-o ifPlaceholder')
    .replace(/^:([^ ]+) ([^ ]+) .*?$/gm, ':$1 $2');
}

// Kuma's e2e parameter sets (test/transparentproxy/config.go), given to the
// config loader exactly as kumactl gets them: flags, config files, stdin.
interface Params {
  flags: string[];
  files?: Record<string, string>;
  stdin?: string;
}

const paramSets: Record<string, Params> = {
  default: { flags: [] },
  'with-multiple-flags': {
    flags: [
      '--redirect-all-dns-traffic',
      '--vnet', 'docker0:172.17.0.0/16',
      '--vnet', 'br+:172.18.0.0/16',
      '--vnet', 'iface:::1/64',
      '--exclude-outbound-ports-for-uids', '53,3000-5000:106-108',
      '--exclude-outbound-ips', '10.0.0.1,192.168.0.0/24,fe80::1',
      '--exclude-outbound-ips', 'fd00::/8',
      '--exclude-outbound-ports', '1,22,333',
      '--exclude-inbound-ports', '4444,55555',
      '--exclude-inbound-ips', '192.168.0.1,172.32.16.8/16,fe80::/10',
      '--exclude-inbound-ips', 'a81b:a033:6399:73c7:72b6:aa8c:6f22:7098',
    ],
  },
  'with-multiple-config-flags': {
    flags: ['--config', '/1.yaml', '--config', '/2.yaml', '--config', '-'],
    files: {
      '/1.yaml': '\nredirect:\n  dns:\n    enabled: false\n    port: 7777\n',
      '/2.yaml':
        '\nredirect:\n  dns:\n    enabled: true\n    port: 8888\n  outbound:\n    excludePortsForIPs:\n    - 10.11.12.13\n    - 172.14.15.16/32\n  inbound:\n    excludePorts:\n    - 10000\n    - 20000\n',
    },
    stdin: `
redirect:
  vnet:
    networks:
    - docker2:10.0.0.0/8
    - docker0:172.17.0.0/16
    - br+:172.18.0.0/16
    - iface:::1/64
  dns:
    enabled: true
    captureAll: true
  inbound:
    enabled: true
    excludePorts:
    - 4444
    - 55555
    excludePortsForIPs:
    - 192.168.0.1,172.32.16.8/16,fe80::/10
    - a81b:a033:6399:73c7:72b6:aa8c:6f22:7098
  outbound:
    enabled: true
    excludePortsForUIDs:
    - 1
    - 2-3:4-5
    excludePorts:
    - 6
    - 77
    - 888
    excludePortsForIPs:
    - 10.0.0.1,192.168.0.0/24,fe80::1
    - fd00::/8
`,
  },
};

/** `kumactl install transparent-proxy --kuma-dp-user kuma-dp <flags>` through the project's config loader. */
function configFor(suffix: string): TransparentProxyConfig {
  const params = paramSets[suffix]!;
  let stdin = params.stdin ?? '';
  const loaded = loadInstallConfig({
    argv: ['--kuma-dp-user', 'kuma-dp', ...params.flags],
    env: {},
    readFile: (path) => {
      const text = params.files?.[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    readStdin: () => {
      const text = stdin;
      stdin = '';
      return text;
    },
    euid: 0,
    platform: 'linux',
  });
  if (loaded.kind !== 'config') throw new Error(`unexpected help output for ${suffix}`);
  return loaded.config;
}

/**
 * The IPv6 multi-flag goldens of 2.13.10 are stale (kuma-2.13-delta.md §20.2):
 * 2.13 code emits rule O4 for IPv6 too, the files were never refreshed. They
 * are checked with that documented correction: O4 inserted before the jump to
 * KUMA_MESH_OUTBOUND, where the IPv4 goldens have it.
 */
const o4 =
  '-A OUTPUT -p tcp -m comment --comment "kuma/mesh/transparent/proxy/allow applications to perform DNS queries over TCP to port 53 without mesh redirection (only traffic not owned by UID 5678 (kuma-dp user))" -m tcp --dport 53 -m owner ! --uid-owner 5678 -j RETURN';
function withO4(golden: string): string {
  const jump = golden.split('\n').findIndex((l) => l.startsWith('-A OUTPUT') && l.endsWith('-j KUMA_MESH_OUTBOUND'));
  const lines = golden.split('\n');
  lines.splice(jump, 0, o4);
  return lines.join('\n');
}

function golden(name: string): string {
  return readFileSync(join(conformanceDir(), 'tproxy-e2e', name), 'utf8');
}

/** A fresh namespace with a non-loopback IPv6 address (a veth to a peer), so dual-stack applies (spec §9.2 procedure). */
async function dualStackNetns(): Promise<Netns> {
  const ns = await createNetns('e2e');
  await connectPeer(ns);
  return ns;
}

async function kumactlInstall(ns: Netns, config: TransparentProxyConfig) {
  const deps = netnsDeps(ns, { extraPasswd: kumaDpPasswdLine });
  const detected = await detectProfile(config, deps);
  // The CLI's order: detect, pre-flight (restore --test, must not disturb the goldens), install.
  const { profile, rendered } = await ensureLoadable(config, detected, (p) => renderRules(config, p), undefined, deps);
  expect(profile).toBe(detected);
  await install(config, profile, rendered, undefined, deps);
  return { deps, profile };
}

const ipv4Saves = ['iptables', 'iptables-nft', 'iptables-legacy'];
const ipv6Saves = ['ip6tables', 'ip6tables-nft'];

describe.skipIf(skip)("Kuma 2.13.10 debian-12 e2e goldens (real install in a netns)", () => {
  afterEach(destroyAll);

  for (const suffix of Object.keys(paramSets)) {
    it(`${suffix}: iptables-save output matches the goldens`, async () => {
      const ns = await dualStackNetns();
      const { profile } = await kumactlInstall(ns, configFor(suffix));
      expect(profile.ipv6Usable).toBe(true);
      for (const cmd of ipv4Saves) {
        const actual = cleanSave(await ns.runOk(`${cmd}-save`, []));
        expect(actual, `${cmd}-save`).toBe(golden(`debian-12-${suffix}.${cmd}.golden`));
        if (suffix === 'default') expect(actual).toBe(golden(`debian-12.${cmd}.golden`));
      }
      for (const cmd of ipv6Saves) {
        const actual = cleanSave(await ns.runOk(`${cmd}-save`, []));
        const expected = golden(`debian-12-${suffix}.${cmd}.golden`);
        expect(actual, `${cmd}-save`).toBe(suffix === 'default' ? expected : withO4(expected));
        if (suffix === 'default') expect(actual).toBe(golden(`debian-12.${cmd}.golden`));
      }
    });
  }
});

// Kuma's "uninstall in container": custom chains and rules in nat/raw/mangle
// with all six binaries, then install + uninstall must leave every save identical.
const customRules = [
  ['-t', 'nat', '-N', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'raw', '-N', 'CUSTOM_CHAIN_RAW'],
  ['-t', 'mangle', '-N', 'CUSTOM_CHAIN_MANGLE'],
  ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'nat', '-A', 'PREROUTING', '-p', 'udp', '-j', 'CUSTOM_CHAIN_NAT'],
  ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '53', '-j', 'CUSTOM_CHAIN_RAW'],
  ['-t', 'raw', '-A', 'PREROUTING', '-j', 'CUSTOM_CHAIN_RAW'],
  ['-t', 'mangle', '-A', 'OUTPUT', '-p', 'udp', '--sport', '53', '-j', 'CUSTOM_CHAIN_MANGLE'],
  ['-t', 'mangle', '-A', 'PREROUTING', '-j', 'CUSTOM_CHAIN_MANGLE'],
];
const allSaves = ['iptables', 'iptables-nft', 'iptables-legacy', 'ip6tables', 'ip6tables-nft', 'ip6tables-legacy'];

async function allSaveOutputs(ns: Netns): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const cmd of allSaves) out[cmd] = cleanSave(await ns.runOk(`${cmd}-save`, []));
  return out;
}

describe.skipIf(skip)('Kuma 2.13.10 e2e uninstall round trip', () => {
  afterAll(destroyAll);

  for (const suffix of Object.keys(paramSets)) {
    it(`${suffix}: install then uninstall leaves all six iptables-save outputs unchanged`, async () => {
      const ns = await dualStackNetns();
      // `iptables` is iptables-nft here, so its chains already exist: failures are ignored as in Kuma.
      for (const bin of allSaves) for (const rule of customRules) await ns.run(bin, rule);
      const before = await allSaveOutputs(ns);
      expect(before['iptables-legacy']).toContain('CUSTOM_CHAIN_RAW');
      expect(before['ip6tables-nft']).toContain('CUSTOM_CHAIN_MANGLE');
      const { deps } = await kumactlInstall(ns, configFor(suffix));
      expect(cleanSave(await ns.runOk('iptables-save', []))).toContain('KUMA_MESH');
      expect(cleanSave(await ns.runOk('ip6tables-save', []))).toContain('KUMA_MESH');
      // `kumactl uninstall transparent-proxy`: default configuration, detected afresh.
      const uninstallConfig = defaultConfig();
      const result = await uninstall(uninstallConfig, await detectProfile(uninstallConfig, deps), undefined, deps);
      expect(result.cleaned).toEqual(['ipv4', 'ipv6']);
      expect(await allSaveOutputs(ns)).toEqual(before);
    });
  }
});
