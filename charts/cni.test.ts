// The chart's CNI mode (cni.enabled), rendered by a real helm: schema-valid
// objects; a DaemonSet whose environment the install-cni agent reads in full,
// whose mounts are the agent's container paths, and whose pods carry what
// kuma-cp 2.13's taint controller matches; RBAC as narrow as the repair mode
// allows; and the injector switched to CNI mode.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, renderPluginConfig } from '../init/install-cni/index.ts';
import { injectorConfigFrom } from '../webhook/config/load-config.ts';
import { agentEnvOf, unreadAgentEnv } from '../test-support/cni-objects.ts';
import { missingTools, toolPath } from '../test-support/environment.ts';
import { objectOfKind as one, parseKubeYaml, validateKubeObject, type KubeDoc } from '../test-support/kube-objects.ts';

const chart = join(dirname(fileURLToPath(import.meta.url)), 'kuma-injector');
const noHelm = missingTools('helm') && `${missingTools('helm')} (run .ci/install-helm.sh)`;

function helm(...args: string[]): string {
  return execFileSync(toolPath('helm')!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const render = (...set: string[]): KubeDoc[] =>
  parseKubeYaml(helm('template', 'kuma', chart, '--namespace', 'kuma-system', ...['cni.enabled=true', ...set].flatMap((s) => ['--set', s])));

const cniDocs = (docs: KubeDoc[]) => docs.filter((d) => d.metadata.name.startsWith('kuma-cni'));
const podRule = (docs: KubeDoc[]) => (cniDocs(docs).find((d) => d.kind === 'ClusterRole') as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
const injectorConfig = (docs: KubeDoc[]) => {
  const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'kuma-injector-config') as unknown as { data: Record<string, string> };
  return injectorConfigFrom(parse(configMap.data['config.yaml'] ?? ''));
};

describe.skipIf(noHelm)('charts/kuma-injector with cni.enabled', () => {
  const docs = noHelm ? [] : render();

  it('passes helm lint --strict and renders only schema-valid objects, in the CNI namespace', () => {
    expect(helm('lint', '--strict', chart, '--set', 'cni.enabled=true')).toContain('0 chart(s) failed');
    expect(cniDocs(docs).map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'ServiceAccount']);
    for (const doc of docs) validateKubeObject(doc);
    for (const doc of cniDocs(docs).filter((d) => !d.kind.startsWith('Cluster'))) expect(doc.metadata.namespace).toBe('kube-system');
  });

  it('renders nothing of CNI mode when cni.enabled is unset', () => {
    const plain = parseKubeYaml(helm('template', 'kuma', chart, '--namespace', 'kuma-system'));
    expect(cniDocs(plain)).toEqual([]);
    expect(injectorConfig(plain).cniEnabled).toBe(false);
  });

  it('gives the agent an environment it reads in full and accepts, with a plugin config that is JSON', () => {
    const env = agentEnvOf(docs);
    expect(unreadAgentEnv(env)).toEqual([]);
    const config = loadAgentConfig(env);
    expect(config).toMatchObject({ chained: false, confName: 'kuma-cni.conf', hostConfDir: '/etc/cni/multus/net.d', repair: { mode: 'off', nodeName: 'node-a' } });
    const plugin = JSON.parse(renderPluginConfig(config.networkConfigTemplate, { hostConfDir: config.hostConfDir, kubeconfigName: config.kubeconfigName, token: 't' })) as unknown;
    expect(plugin).toEqual({
      cniVersion: '0.3.1',
      name: 'kuma-cni',
      type: 'kuma-cni',
      log_level: 'info',
      kubernetes: { kubeconfig: '/etc/cni/multus/net.d/ZZZ-kuma-cni-kubeconfig', cni_bin_dir: '/var/lib/cni/bin', exclude_namespaces: ['kube-system'] },
    });
    const chained = loadAgentConfig(agentEnvOf(render('cni.chained=true', 'cni.netDir=/etc/cni/net.d', 'cni.confName=', 'cni.repair.mode=delete')));
    expect(chained).toMatchObject({ chained: true, confName: undefined, hostConfDir: '/etc/cni/net.d', repair: { mode: 'delete', perMinute: 10 } });
  });

  it("mounts the host's dirs where the agent expects them, runs it as /install-cni, and probes its /readyz", () => {
    const daemonSet = one(docs, 'DaemonSet');
    const pod = daemonSet.spec!.template.spec!;
    const container = pod.containers[0]!;
    const defaults = loadAgentConfig({});
    const mountOf = (volume: string) => container.volumeMounts?.find((m) => m.name === volume)?.mountPath;
    const hostPathOf = (volume: string) => pod.volumes?.find((v) => v.name === volume)?.hostPath?.path;
    expect(mountOf('cni-net-dir')).toBe(defaults.confDir);
    expect(mountOf('cni-bin-dir')).toBe(defaults.binDirs[0]);
    expect([hostPathOf('cni-net-dir'), hostPathOf('cni-bin-dir')]).toEqual(['/etc/cni/multus/net.d', '/var/lib/cni/bin']);
    expect(mountOf('tmp')).toBe(dirname(defaults.readyFile)); // the root filesystem is read-only
    expect(container.command).toEqual([defaults.processTitle]);
    const dockerfile = readFileSync(join(chart, '..', '..', 'cni', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ln -s /usr/lib/install-cni/install-cni.mjs ${defaults.processTitle}`);
    expect(dockerfile).toContain(defaults.pluginBinary);
    const port = loadAgentConfig(agentEnvOf(docs)).readyz?.port;
    expect(container.ports?.find((p) => p.name === 'readyz')?.containerPort).toBe(port);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'readyz' });
    expect(pod.hostNetwork).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it("labels its pods as kuma-cp 2.13's taint controller expects, and tolerates every taint", () => {
    const daemonSet = one(docs, 'DaemonSet');
    expect(daemonSet.metadata?.namespace).toBe('kube-system'); // ..._CNI_NAMESPACE default
    expect(daemonSet.spec?.template.metadata?.labels?.app).toBe('kuma-cni'); // ..._CNI_APP as Kuma's chart sets it
    expect(daemonSet.spec?.template.spec?.tolerations).toContainEqual({ effect: 'NoSchedule', operator: 'Exists' });
    const moved = one(render('cni.namespace=cni', 'cni.app=my-cni'), 'DaemonSet');
    expect([moved.metadata?.namespace, moved.spec?.template.metadata?.labels?.app]).toEqual(['cni', 'my-cni']);
  });

  it('grants pods: get, plus what the repair mode needs and no more', () => {
    expect(podRule(docs)).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    expect(podRule(render('cni.repair.mode=label'))[0]?.verbs).toEqual(['get', 'list', 'watch', 'patch']);
    expect(podRule(render('cni.repair.mode=delete'))[0]?.verbs).toEqual(['get', 'list', 'watch', 'delete', 'patch']);
    const binding = cniDocs(docs).find((d) => d.kind === 'ClusterRoleBinding') as unknown as { subjects: { name: string; namespace: string }[] };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: one(docs, 'DaemonSet').spec?.template.spec?.serviceAccountName, namespace: 'kube-system' }]);
  });

  it('switches the injector to CNI mode, whatever injectorConfig says', () => {
    expect(injectorConfig(docs).cniEnabled).toBe(true);
    expect(injectorConfig(render('injectorConfig.cniEnabled=false')).cniEnabled).toBe(true);
    expect(injectorConfig(render('injectorConfig.sidecarContainer.image=r/kuma-dp:2.13.10')).sidecarContainer.image).toBe('r/kuma-dp:2.13.10');
  });

  it('refuses CNI values outside its schema', () => {
    const error = (() => {
      try {
        render('cni.repair.mode=evict');
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
      return 'rendered';
    })();
    expect(error).toContain('repair');
  });
});
