// kuma-cni in a real CNI chain (loopback, bridge + host-local from
// containernetworking-plugins, then kuma-cni), exec'd as a runtime does, for
// pods our webhook injected in CNI mode, with the pod served by a stand-in
// API server. Run twice: with the TypeScript sources (bin/kuma-cni.js) and
// with the single executable (dist/cni/kuma-cni, built here by
// bin/bundle.ts). The rules in the pod netns are compared with what
// kuma-init installs for the same pod (Kuma 2.13's own differences are
// listed in docs/cni.md), real traffic is redirected, and the validator
// passes as the kuma-dp UID.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCniExecutable } from '../../bin/bundle.ts';
import { missingFiles, missingRootTools } from '../../test-support/environment.ts';
import { destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { endpoint, probe, startListeners, stopAllListeners } from '../../test-support/init/traffic.ts';
import { KUMA_DP, kumaInitInstall } from '../../test-support/init/traffic-setup.ts';
import { runKumaInitIn } from '../../test-support/init/traffic-validator.ts';
import { CNI_BIN, CniNode, injectedPod, kumaInitArgs, plainPod, podIPv4, rulesOf, type CniPodRef } from '../../test-support/init/cni/cni-chain.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG_ANNOTATION = 'traffic.kuma.io/transparent-proxy-config';

/**
 * What Kuma 2.13.10's kuma-cni installs for a pod with our webhook's legacy annotations (2.13 defaults),
 * written as the kumactl command line it amounts to (app/cni/pkg/cni/injector_linux.go mapToConfig with
 * the defaults of annotations_linux.go): 9901 excluded both ways, the probe-proxy port 9001 inbound,
 * all DNS to 15053, verbose.
 */
const KUMA_CNI_LEGACY_EQUIVALENT = [
  '--kuma-dp-user', '5678',
  '--redirect-outbound-port', '15001',
  '--redirect-inbound-port', '15006',
  '--exclude-outbound-ports', '9901',
  '--exclude-inbound-ports', '9901,9001',
  '--redirect-all-dns-traffic',
  '--redirect-dns-port', '15053',
  '--ip-family-mode', 'dualstack',
  '--verbose',
];

/** Kuma 2.13's own difference on the legacy path (docs/cni.md): kuma-cni also excludes 9901 both ways. */
function withoutKumaCniLegacyDifferences(save: string): string {
  return save
    .split('\n')
    .filter((line) => !/(^|[^0-9,])9901([^0-9,]|$)/.test(line))
    .map((line) => line.replace(/9901,|,9901/g, ''))
    .join('\n');
}

const hasKumaRules = (rules: Record<string, string>) => Object.values(rules).some((save) => save.includes('KUMA_MESH'));

const PLUGINS = [
  { label: 'sources (bin/kuma-cni.js)', subnet: 11, binary: () => Promise.resolve(join(repo, 'bin', 'kuma-cni.js')) },
  { label: 'single executable (dist/cni/kuma-cni)', subnet: 12, binary: () => buildCniExecutable(join(repo, 'dist', 'cni')) },
];

describe.skipIf(
  missingRootTools('ip', 'nsenter', 'unshare', 'iptables-nft', 'ip6tables-nft', 'iptables-legacy', 'setpriv', 'python3') ??
    missingFiles(...['loopback', 'bridge', 'host-local'].map((p) => join(CNI_BIN, p))),
)(
  'kuma-cni in a CNI chain',
  () => {
    afterAll(async () => {
      stopAllListeners();
      await destroyAll();
    });

    describe.each(PLUGINS)('$label', ({ subnet, binary }) => {
      let kumaCni: string;
      let node: CniNode;
      /** Pods reused across tests: the injected ones, added once. */
      const added: Record<string, { pod: CniPodRef; bridge: string }> = {};

      beforeAll(async () => {
        kumaCni = await binary();
        node = await CniNode.create(subnet);
        for (const mode of ['cni-legacy', 'cni-config'] as const) {
          const pod = await node.newPod(mode);
          node.api.put(await injectedPod(mode, mode));
          const r = await node.add(pod, kumaCni);
          if (r.kuma.code !== 0) throw new Error(`kuma-cni ADD for ${mode} failed: ${r.kuma.stdout}${r.kuma.stderr}`);
          added[mode] = { pod, bridge: r.bridge };
        }
      }, 240_000);
      afterAll(() => node?.destroy());

      it('ADD prints the bridge result as its own (0.3.1), nothing else on stdout', async () => {
        const pod = await node.newPod('again');
        node.api.put(await injectedPod('again', 'cni-legacy'));
        const r = await node.add(pod, kumaCni);
        expect(r.kuma.code).toBe(0);
        expect(JSON.parse(r.kuma.stdout)).toEqual(JSON.parse(r.bridge));
        expect(r.kuma.stdout.startsWith('{\n    "cniVersion": "0.3.1"')).toBe(true);
        expect(r.kuma.stderr).toBe('');
      });

      it("legacy annotations: Kuma 2.13 kuma-cni's rules, and kuma-init's for the same pod in init mode but for Kuma's 9901 exclusions", async () => {
        const cni = await rulesOf(added['cni-legacy']!.pod.netns);
        expect(hasKumaRules(cni)).toBe(true);

        const expectedPod = await node.newPod('expected-legacy');
        await node.add(expectedPod, undefined);
        await kumaInitInstall(expectedPod.netns, KUMA_CNI_LEGACY_EQUIVALENT);
        expect(cni).toEqual(await rulesOf(expectedPod.netns));

        const initPod = await node.newPod('init-legacy');
        await node.add(initPod, undefined);
        await kumaInitInstall(initPod.netns, kumaInitArgs(await injectedPod('init-legacy', 'init-legacy')));
        const init = await rulesOf(initPod.netns);
        expect(cni['iptables-save']).not.toEqual(init['iptables-save']);
        for (const save of Object.keys(cni)) expect(withoutKumaCniLegacyDifferences(cni[save]!), save).toBe(init[save]);
      });

      it('config annotation: the same rules as kuma-init with that config, for the CNI pod and for the pod in init mode', async () => {
        const cniPod = await injectedPod('cni-config', 'cni-config');
        const cni = await rulesOf(added['cni-config']!.pod.netns);
        expect(hasKumaRules(cni)).toBe(true);
        const dir = mkdtempSync(join(tmpdir(), 'kuma-cni-config-'));
        for (const [label, pod] of [['cni', cniPod], ['init', await injectedPod('init-config', 'init-config')]] as const) {
          const file = join(dir, `${label}.yaml`);
          writeFileSync(file, pod.metadata.annotations![CONFIG_ANNOTATION]!);
          const other = await node.newPod(`expected-${label}`);
          await node.add(other, undefined);
          await kumaInitInstall(other.netns, [`--config=${file}`]);
          expect(cni, label).toEqual(await rulesOf(other.netns));
        }
      });

      describe.each(['cni-legacy', 'cni-config'])('real traffic (%s)', (mode) => {
        let pod: Netns;
        let podIp: string;
        beforeAll(() => {
          pod = added[mode]!.pod.netns;
          podIp = podIPv4(added[mode]!.bridge);
        });

        it('outbound to 15001 with the original destination, inbound to 15006, DNS to 15053', async () => {
          const listeners = await startListeners(
            pod,
            [
              { name: 'outbound', proto: 'tcp', addr: '0.0.0.0', port: 15001 },
              { name: 'inbound', proto: 'tcp', addr: '0.0.0.0', port: 15006 },
              // kuma-dp's DNS proxy listens on loopback: the REDIRECTed query arrives for 127.0.0.1.
              { name: 'dns', proto: 'udp', addr: '127.0.0.1', port: 15053 },
            ],
            KUMA_DP,
          );
          try {
            expect(await probe(pod, 'tcp', node.gateway, 8080)).toBe(`outbound ${endpoint(node.gateway, 8080)}`);
            expect(await probe(node.ns, 'tcp', podIp, 8080)).toBe(`inbound ${endpoint(podIp, 8080)}`);
            expect(await probe(pod, 'udp', node.gateway, 53)).toBe('dns');
          } finally {
            await listeners.stop();
          }
        });

        it('kuma-init install transparent-proxy-validator passes as the kuma-dp UID', async () => {
          const r = await runKumaInitIn(pod, KUMA_DP, ['install', 'transparent-proxy-validator', '--ip-family-mode=dualstack', '--validation-server-port=15006']);
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
          expect(r.stdout).toContain('transparentproxy.validator.ipv4\tvalidation successful, iptables rules applied correctly');
          expect(r.stdout).toContain('transparentproxy.validator.ipv6\tvalidation successful, iptables rules applied correctly');
        });
      });

      it.each([
        ['an uninjected pod', 'plain', 'demo', 1, 'missing required kuma-sidecar container'],
        ['a pod in an excluded namespace', 'excluded', 'kube-system', 0, 'namespace is in the exclude list'],
        ['a pod with kuma-init (init mode)', 'with-init', 'demo', 1, 'pod already injected with kuma-init container'],
      ])('%s passes through with the prevResult and no rules', async (_label, name, namespace, apiCalls, reason) => {
        node.api.put(name === 'with-init' ? await injectedPod(name, 'init-legacy') : plainPod(name, namespace));
        const pod = await node.newPod(name, namespace);
        const before = node.api.requests.length;
        const r = await node.add(pod, kumaCni);
        expect(r.kuma.code).toBe(0);
        expect(JSON.parse(r.kuma.stdout)).toEqual(JSON.parse(r.bridge));
        expect(hasKumaRules(await rulesOf(pod.netns))).toBe(false);
        expect(node.api.requests.length - before).toBe(apiCalls);
        const logged = readFileSync(node.logFile, 'utf8').split('\n').filter((line) => line.includes(`"pod":"${name}"`) && line.includes('pod excluded'));
        expect(logged.map((line) => (JSON.parse(line.split('\t')[4]!) as { reason: string }).reason)).toEqual([reason]);
      });

      it('a kubeconfig with an exec credential plugin goes through client-node', async () => {
        const execCredential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } });
        const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kuma-cni-exec-')), 'kubeconfig');
        const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `printf '%s' '${execCredential}'`], interactiveMode: 'Never' };
        writeFileSync(kubeconfig, node.api.kubeconfigYaml({ exec }));
        node.api.put(await injectedPod('exec-auth', 'cni-legacy'));
        const pod = await node.newPod('exec-auth');
        const r = await node.add(pod, kumaCni, '0.3.1', {}, { kubernetes: { kubeconfig, exclude_namespaces: [] } });
        expect(r.kuma.code, r.kuma.stdout).toBe(0);
        expect(node.api.authorizations.at(-1)).toBe('Bearer exec-token');
        expect(hasKumaRules(await rulesOf(pod.netns))).toBe(true);
        expect(node.api.authorizations).toContain('Bearer stand-in-token');
      });

      it('DEL succeeds and changes nothing, even with a broken config; CHECK follows the version rules', async () => {
        const { pod, bridge } = added['cni-legacy']!;
        const rules = await rulesOf(pod.netns);
        const del = await node.exec(kumaCni, 'DEL', pod, { cniVersion: '0.3.1', name: 'kt-net', ...node.kumaConf(), prevResult: JSON.parse(bridge) as object });
        expect([del.code, del.stdout]).toEqual([0, '']);
        const broken = await node.ns.run(kumaCni, [], { input: '{', env: { CNI_COMMAND: 'DEL' } });
        expect([broken.code, broken.stdout]).toEqual([0, '']);
        expect(await rulesOf(pod.netns)).toEqual(rules);

        const old = await node.exec(kumaCni, 'CHECK', pod, { cniVersion: '0.3.1', name: 'kt-net', ...node.kumaConf() });
        expect(old.code).toBe(1);
        expect(JSON.parse(old.stdout)).toEqual({ code: 1, msg: 'config version does not allow CHECK' });
        const check = await node.exec(kumaCni, 'CHECK', pod, { cniVersion: '1.0.0', name: 'kt-net', ...node.kumaConf() });
        expect([check.code, check.stdout]).toEqual([0, '']);
      });

      it('an injected pod whose API call keeps failing gets a CNI error after Kuma\'s 31 attempts, and no rules', async () => {
        node.api.put(await injectedPod('unreachable', 'cni-legacy'));
        const pod = await node.newPod('unreachable');
        const before = node.api.requests.length;
        node.api.setFailing(true);
        try {
          const r = await node.add(pod, kumaCni, '0.3.1', { KUMA_CNI_POD_RETRY_INTERVAL_MS: '10' });
          expect(r.kuma.code).toBe(1);
          const error = JSON.parse(r.kuma.stdout) as { code: number; msg: string };
          expect(error.code).toBe(999);
          expect(error.msg).toMatch(/^failed to get pod annotations: failed to retrieve pod data from Kubernetes API: HTTP 500/);
        } finally {
          node.api.setFailing(false);
        }
        expect(node.api.requests.length - before).toBe(31);
        expect(hasKumaRules(await rulesOf(pod.netns))).toBe(false);
      });
    });
  },
);
