// The plain manifests of CNI mode: schema-valid, the agent's environment read
// in full, the taint controller's labels, the injector patch turning on CNI
// mode, and no drift from what the chart renders for the same settings.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../init/install-cni/index.ts';
import { injectorConfigFrom } from '../webhook/config/load-config.ts';
import { agentEnvOf, unreadAgentEnv } from '../test-support/cni-objects.ts';
import { missingTools, toolPath } from '../test-support/environment.ts';
import { objectOfKind, parseKubeYaml, unknownServeFlags, validateKubeObject, type KubeDoc } from '../test-support/kube-objects.ts';

const here = dirname(fileURLToPath(import.meta.url));
const docs = parseKubeYaml(readFileSync(join(here, 'kuma-cni.yaml'), 'utf8'));
const injectorDocs = parseKubeYaml(readFileSync(join(here, 'kuma-injector.yaml'), 'utf8').replaceAll('CA_BUNDLE', 'Q0E='));
const patch = JSON.parse(readFileSync(join(here, 'kuma-injector-cni-patch.json'), 'utf8')) as Operation[];
const noHelm = missingTools('helm') && `${missingTools('helm')} (run .ci/install-helm.sh)`;

const configMap = (all: readonly KubeDoc[], name: string) => all.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name) as unknown as { data: Record<string, string> };

describe('manifests/kuma-cni.yaml', () => {
  it('holds only schema-valid objects', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'DaemonSet', 'ServiceAccount']);
    for (const doc of docs) validateKubeObject(doc);
  });

  it('gives the agent an environment it reads in full and accepts', () => {
    const env = agentEnvOf(docs);
    expect(unreadAgentEnv(env)).toEqual([]);
    expect(loadAgentConfig(env)).toMatchObject({ confName: 'kuma-cni.conf', repair: { mode: 'off', nodeName: 'node-a' } });
  });

  it("carries the labels kuma-cp 2.13's taint controller matches by default in Kuma's chart", () => {
    const daemonSet = objectOfKind(docs, 'DaemonSet');
    expect(daemonSet.metadata?.namespace).toBe('kube-system');
    expect(daemonSet.spec?.template.metadata?.labels?.app).toBe('kuma-cni');
  });

  it('patches kuma-injector into CNI mode with flags it knows', () => {
    const deployment = fastJsonPatch.applyPatch(structuredClone(objectOfKind(injectorDocs, 'Deployment')), patch, true, false).newDocument;
    validateKubeObject(deployment as unknown as KubeDoc);
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(unknownServeFlags(container.args ?? [])).toEqual([]);
    const configFlag = container.args?.find((a) => a.startsWith('--config='))?.slice('--config='.length);
    const mount = container.volumeMounts?.find((m) => configFlag?.startsWith(`${m.mountPath}/`));
    const volume = deployment.spec!.template.spec!.volumes?.find((v) => v.name === mount?.name);
    const injector = configMap(docs, volume?.configMap?.name ?? '');
    expect(objectOfKind(injectorDocs, 'Deployment').metadata?.namespace).toBe((docs.find((d) => d.metadata.name === volume?.configMap?.name))?.metadata.namespace);
    expect(injectorConfigFrom(parse(injector.data[configFlag!.split('/').pop()!] ?? '')).cniEnabled).toBe(true);
  });

  it.skipIf(noHelm)('matches what the chart renders for cni.enabled=true', () => {
    const chart = parseKubeYaml(
      execFileSync(toolPath('helm')!, ['template', 'kuma', join(here, '..', 'charts', 'kuma-injector'), '-n', 'kuma-system', '--set', 'cni.enabled=true'], { encoding: 'utf8' }),
    );
    const daemonSets = [chart, docs].map((all) => objectOfKind(all, 'DaemonSet').spec!.template.spec!);
    expect(daemonSets[1]).toEqual(daemonSets[0]);
    expect(configMap(docs, 'kuma-cni-config').data).toEqual(configMap(chart, 'kuma-cni-config').data);
    const rules = (all: KubeDoc[]) => all.filter((d) => d.kind === 'ClusterRole' && d.metadata.name.startsWith('kuma-cni')).map((d) => d.rules);
    expect(rules(docs)).toEqual(rules(chart));
  });
});
