// Real traffic through real kuma-init rules. Per backend, one app namespace
// (where kuma-init installs, as in a pod) joined by veth to a "test host"
// namespace; python listeners report who answered and, for TCP, the original
// destination recovered with SO_ORIGINAL_DST. One dual-stack install covers
// IPv4 and IPv6; namespaces are reused across the tests of a backend and the
// tests run in order (install → traffic → reinstall → uninstall).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { connectPeer, createNetns, destroyAll, type Netns, type VethLink } from '../../test-support/init/netns.ts';
import { endpoint, probe, startListeners, stopAllListeners, type Listener } from '../../test-support/init/traffic.ts';
import { removeReadablePrograms } from '../../test-support/init/readable-programs.ts';
import {
  KUMA_DP,
  kumaInitInstall,
  kumaInitUninstall,
  trafficArgs,
  withSuffix,
  writeTrafficConfigFile,
  type TrafficAddresses,
} from '../../test-support/init/traffic-setup.ts';

const FAMILIES = ['ipv4', 'ipv6'] as const;
/** A UID with an outbound port exclusion (`tcp:9090:4242`). */
const EXCLUDED_UID = { uid: 4242, gid: 4242 };

const skip = missingRootTools(
  'ip',
  'iptables-legacy',
  'iptables-nft',
  'ip6tables-legacy',
  'ip6tables-nft',
  'python3',
  'setpriv',
);

/** Listeners bound on both families' wildcard addresses. */
function dual(name: string, proto: 'tcp' | 'udp', ports: number[]): Listener[] {
  return ports.flatMap((port) => [
    { name, proto, addr: '0.0.0.0', port },
    { name, proto, addr: '::', port },
  ]);
}

/** Rules of both families with counters zeroed, for comparing two installs. */
async function savedRules(ns: Netns, backend: string): Promise<string> {
  const v4 = await ns.iptablesSave(`iptables-${backend}-save`);
  const v6 = await ns.iptablesSave(`ip6tables-${backend}-save`);
  return `${v4}\n${v6}`.replace(/\[\d+:\d+\]/g, '[0:0]');
}

// What ran as another UID was built into a temporary folder (readable-programs.ts).
afterAll(removeReadablePrograms);

describe.skipIf(skip)('real traffic through kuma-init rules', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kuma-traffic-'));
  });
  afterAll(async () => {
    stopAllListeners();
    await destroyAll();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe.each(['legacy', 'nft'] as const)('%s backend', (backend) => {
    let app: Netns;
    let link: VethLink;
    let addrs: TrafficAddresses;
    let configFile: string;
    const args = (dns: boolean) => trafficArgs(backend, addrs, configFile, { dns });

    beforeAll(async () => {
      app = await createNetns('app');
      link = await connectPeer(app);
      addrs = {
        ipv4: {
          app: link.ipv4.ns,
          remote: link.ipv4.host,
          excludedRemote: withSuffix(link.ipv4.host, '11'),
          excludedSource: withSuffix(link.ipv4.host, '12'),
        },
        ipv6: {
          app: link.ipv6.ns,
          remote: link.ipv6.host,
          excludedRemote: withSuffix(link.ipv6.host, '11'),
          excludedSource: withSuffix(link.ipv6.host, '12'),
        },
      };
      for (const family of FAMILIES) {
        const prefix = family === 'ipv4' ? link.ipv4.prefix : link.ipv6.prefix;
        for (const extra of [addrs[family].excludedRemote, addrs[family].excludedSource]) {
          await link.host.runOk('ip', ['addr', 'add', `${extra}/${prefix}`, 'dev', link.ifname.host, ...(family === 'ipv6' ? ['nodad'] : [])]);
        }
      }
      // The "pod": kuma-dp's listeners (as the kuma-dp UID) and the application.
      // Like kuma-dp's DNS proxy, the UDP one binds loopback, where REDIRECT
      // delivers local packets, so its answers leave from the redirected-to
      // address and conntrack maps them back to the nameserver's.
      await startListeners(
        app,
        [
          ...dual('outbound-proxy', 'tcp', [15001]),
          ...dual('inbound-proxy', 'tcp', [15006]),
          { name: 'dns-proxy', proto: 'udp', addr: '127.0.0.1', port: 15053 },
          { name: 'dns-proxy', proto: 'udp', addr: '::1', port: 15053 },
        ],
        KUMA_DP,
      );
      await startListeners(app, dual('app', 'tcp', [8080, 9100]));
      // The rest of the world: a service and a nameserver.
      // The nameserver binds the address in resolv.conf: a wildcard UDP socket
      // would answer IPv6 queries from whichever host address the kernel picks.
      await startListeners(link.host, [
        ...dual('remote', 'tcp', [53, 8080, 9000, 9090]),
        ...FAMILIES.map((f) => ({ name: 'nameserver', proto: 'udp' as const, addr: addrs[f].remote, port: 53 })),
      ]);
      const resolvConf = join(tmp, `resolv-${backend}.conf`);
      writeFileSync(resolvConf, `nameserver ${addrs.ipv4.remote}\nnameserver ${addrs.ipv6.remote}\n`);
      configFile = join(tmp, `config-${backend}.yaml`);
      writeTrafficConfigFile(configFile, resolvConf);
      await kumaInitInstall(app, args(true));
    });

    describe.each(FAMILIES)('%s', (family) => {
      const a = () => addrs[family];

      it('redirects outbound TCP to 15001, which recovers the original destination', async () => {
        expect(await probe(app, 'tcp', a().remote, 8080)).toBe(`outbound-proxy ${endpoint(a().remote, 8080)}`);
      });

      it('redirects inbound TCP to 15006, which recovers the original destination', async () => {
        expect(await probe(link.host, 'tcp', a().app, 8080, { bind: a().remote })).toBe(`inbound-proxy ${endpoint(a().app, 8080)}`);
      });

      it('redirects DNS over UDP to the configured nameserver to 15053, not DNS over TCP', async () => {
        expect(await probe(app, 'udp', a().remote, 53)).toBe('dns-proxy');
        expect(await probe(app, 'tcp', a().remote, 53)).toMatch(/^remote /);
      });

      it("lets the kuma-dp UID's own traffic (TCP and DNS) reach the real destination", async () => {
        expect(await probe(app, 'tcp', a().remote, 8080, { as: KUMA_DP })).toMatch(/^remote /);
        expect(await probe(app, 'udp', a().remote, 53, { as: KUMA_DP })).toBe('nameserver');
      });

      it('lets excluded outbound and inbound ports bypass the proxy', async () => {
        expect(await probe(app, 'tcp', a().remote, 9000)).toMatch(/^remote /);
        expect(await probe(link.host, 'tcp', a().app, 9100, { bind: a().remote })).toMatch(/^app /);
      });

      it('lets excluded outbound destinations and inbound sources bypass the proxy', async () => {
        expect(await probe(app, 'tcp', a().excludedRemote, 8080)).toMatch(/^remote /);
        expect(await probe(link.host, 'tcp', a().app, 8080, { bind: a().excludedSource })).toMatch(/^app /);
      });

      it('lets an excluded port-for-UID bypass the proxy, and only for that UID and port', async () => {
        expect(await probe(app, 'tcp', a().remote, 9090, { as: EXCLUDED_UID })).toMatch(/^remote /);
        expect(await probe(app, 'tcp', a().remote, 8080, { as: EXCLUDED_UID })).toBe(`outbound-proxy ${endpoint(a().remote, 8080)}`);
        expect(await probe(app, 'tcp', a().remote, 9090)).toBe(`outbound-proxy ${endpoint(a().remote, 9090)}`);
      });

      it('leaves localhost traffic alone', async () => {
        const localhost = family === 'ipv4' ? '127.0.0.1' : '::1';
        expect(await probe(app, 'tcp', localhost, 8080)).toMatch(/^app /);
      });
    });

    it('installing twice leaves identical rules', async () => {
      const first = await savedRules(app, backend);
      expect(first).toMatch(/KUMA_MESH_OUTBOUND/);
      await kumaInitInstall(app, args(true));
      expect(await savedRules(app, backend)).toBe(first);
    });

    it('with DNS redirection disabled, DNS reaches the real nameserver while TCP is still redirected', async () => {
      await kumaInitInstall(app, args(false));
      for (const family of FAMILIES) {
        expect(await probe(app, 'udp', addrs[family].remote, 53)).toBe('nameserver');
        expect(await probe(app, 'tcp', addrs[family].remote, 8080)).toMatch(/^outbound-proxy /);
      }
    });

    it('uninstall leaves no KUMA_ rule and traffic flows directly again', async () => {
      await kumaInitUninstall(app);
      expect(await savedRules(app, backend)).not.toMatch(/KUMA_/);
      for (const family of FAMILIES) {
        expect(await probe(app, 'tcp', addrs[family].remote, 8080)).toMatch(/^remote /);
        expect(await probe(link.host, 'tcp', addrs[family].app, 8080, { bind: addrs[family].remote })).toMatch(/^app /);
      }
    });
  });
});
