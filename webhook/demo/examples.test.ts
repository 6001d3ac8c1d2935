// The README's offline examples: webhook/demo/state.yaml holds the same cluster
// as `serve --demo`, and `inject` on webhook/demo/pod.yaml injects the sidecar.
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStateFiles } from '../state/file-state.ts';
import { StaticClusterState } from '../state/static-state.ts';
import { injectOffline } from '../../test-support/webhook/inject-offline.ts';
import { demoNamespace, demoObjects } from './demo-state.ts';

const stateFile = join(import.meta.dirname, 'state.yaml');
const podFile = join(import.meta.dirname, 'pod.yaml');

describe('webhook/demo example files', () => {
  it('state.yaml is the demo cluster of serve --demo', () => {
    const fromFile = loadStateFiles([stateFile]);
    const demo = new StaticClusterState(demoObjects());
    expect(fromFile.namespace(demoNamespace)).toEqual(demo.namespace(demoNamespace));
    expect(fromFile.mesh('default')).toEqual(demo.mesh('default'));
  });

  it('inject -f pod.yaml --state state.yaml adds kuma-sidecar and kuma-init', async () => {
    const { exitCode, stdout, stderr } = await injectOffline(['-f', podFile, '--state', stateFile], undefined);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const pod = parse(stdout, { version: '1.1' }) as { spec: { containers: { name: string }[]; initContainers: { name: string }[] } };
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['kuma-sidecar', 'web']);
    expect(pod.spec.initContainers.map((c) => c.name)).toEqual(['kuma-init']);
  });
});
