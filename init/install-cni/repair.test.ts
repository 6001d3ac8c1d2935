// The race repair against a stand-in API server (pods of two nodes): the agent
// watches only its node's pods, deletes those whose kuma-validation failed
// (or labels them), never more than INSTALL_CNI_REPAIR_PER_MINUTE a minute,
// only once its own chain is ready, and logs every action.
import type { V1Pod } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, timeUntil, type AgentProcess } from '../../test-support/init/install-cni/agent-process.ts';
import { makeNodeDirs, type NodeDirs } from '../../test-support/init/install-cni/node-dirs.ts';
import { StandInPodApi } from '../../test-support/init/install-cni/stand-in-pod-api.ts';

const PRIMARY = '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"ptp"}]}';

function pod(name: string, nodeName: string, validatorExit: number | undefined, owned = true): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'shop',
      ownerReferences: owned ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] : [],
    },
    spec: { nodeName, containers: [{ name: 'app' }] },
    status:
      validatorExit === undefined
        ? {}
        : { phase: 'Pending', initContainerStatuses: [{ name: 'kuma-validation', image: 'kuma-init', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: validatorExit } } }] },
  };
}

describe('race repair', () => {
  let node: NodeDirs;
  let api: StandInPodApi;
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await api.close();
    node.remove();
  });

  async function setUp(pods: V1Pod[], env: Record<string, string>, options: { primary?: boolean } = {}) {
    node = makeNodeDirs();
    api = await StandInPodApi.start();
    for (const p of pods) api.put(p);
    const kubeconfig = join(node.root, 'agent-kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    if (options.primary ?? true) writeFileSync(join(node.confDir, '10-ptp.conflist'), PRIMARY);
    agent = startAgent({ ...node.env, NODE_NAME: 'node-a', INSTALL_CNI_KUBECONFIG: kubeconfig, ...env });
    await agent.waitForLog('race repair: watching pods');
  }

  const failedOnA = ['web-1', 'web-2', 'web-3', 'web-4'];
  const cluster = () => [
    ...failedOnA.map((name) => pod(name, 'node-a', 1)),
    pod('healthy', 'node-a', 0),
    pod('no-validator', 'node-a', undefined),
    pod('elsewhere', 'node-b', 1),
  ];

  it('deletes failed pods of its node only, at most N per minute, logging each', async () => {
    await setUp(cluster(), { INSTALL_CNI_REPAIR_MODE: 'delete', INSTALL_CNI_REPAIR_PER_MINUTE: '2' });
    await timeUntil(() => api.writes().length >= 2, 10_000);
    await agent!.waitForLog('race repair: rate limit reached');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for a third delete, were the limit not kept
    const deleted = api.writes().map((w) => ({ method: w.method, pod: w.path.split('/').pop() }));
    expect(deleted).toHaveLength(2);
    for (const d of deleted) {
      expect(d.method).toBe('DELETE');
      expect(failedOnA).toContain(d.pod);
    }
    expect(api.pod('shop', 'healthy')).toBeDefined();
    expect(api.pod('shop', 'elsewhere')).toBeDefined();
    expect(api.requests.find((r) => r.query.watch === 'true')?.query.fieldSelector).toBe('spec.nodeName=node-a');
    expect(agent!.log().match(/race repair: deleted pod started before kuma-cni was ready\t\{"pod":"shop\/web-\d"/g)).toHaveLength(2);
  });

  it('labels failed pods once each in label mode, and pods no controller would recreate in delete mode', async () => {
    await setUp([...cluster(), pod('bare', 'node-a', 2, false)], { INSTALL_CNI_REPAIR_MODE: 'label', INSTALL_CNI_REPAIR_PER_MINUTE: '100' });
    await timeUntil(() => api.writes().length >= 5, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the MODIFIED events of the patches must not cause more patches
    const patched = api.writes().map((w) => w.path.split('/').pop());
    expect(patched.sort()).toEqual(['bare', ...failedOnA].sort());
    for (const write of api.writes()) {
      expect(write.method).toBe('PATCH');
      expect(write.contentType).toBe('application/merge-patch+json');
    }
    expect(api.pod('shop', 'web-1')?.metadata?.labels).toEqual({ 'cni.kuma.io/validation-failed': 'true' });
    expect(api.pod('shop', 'healthy')?.metadata?.labels).toBeUndefined();
  });

  it('acts only once its chain is ready, and on pods that fail later', async () => {
    await setUp([pod('web-1', 'node-a', 1), pod('bare', 'node-a', 1, false)], { INSTALL_CNI_REPAIR_MODE: 'delete' }, { primary: false });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(api.writes()).toEqual([]);
    writeFileSync(join(node.confDir, '10-ptp.conflist'), PRIMARY);
    await timeUntil(() => api.writes().length === 2, 5000);
    expect(api.writes().map((w) => `${w.method} ${w.path.split('/').pop()}`).sort()).toEqual(['DELETE web-1', 'PATCH bare']);
    api.put(pod('web-5', 'node-a', 1));
    await timeUntil(() => api.pod('shop', 'web-5') === undefined, 5000);
  });
});
