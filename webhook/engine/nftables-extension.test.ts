// Our extension: the nftables backend passed through the injector (the
// injector config's `sidecarTraffic.nftables`, the pod annotation
// `traffic.kuma.io/nftables`), on both transparent-proxy paths; nothing
// changes for a pod that does not ask for it.
import { describe, expect, it } from 'vitest';
import { applyConfigDocument, defaultConfig } from '../../init/config/index.ts';
import { appPod, enabledNamespace, mesh, testContext } from '../../test-support/webhook/engine-fixtures.ts';
import { injectPod } from './inject-pod.ts';
import type { Container, Pod } from './pod/index.ts';

const NFT = 'traffic.kuma.io/nftables';

function inject(pod: Pod, ctx: ReturnType<typeof testContext>): Pod {
  const outcome = injectPod(pod, ctx);
  if (outcome.result !== 'injected') throw new Error(`${outcome.result}: ${outcome.message}`);
  return outcome.pod;
}

const initArgs = (pod: Pod): string[] => (pod.spec!.initContainers!.find((c: Container) => c.name === 'kuma-init')!.args ?? []) as string[];

describe('the nftables extension on the legacy path', () => {
  it('adds nothing by default: Kuma’s flags and annotations', () => {
    const pod = inject(appPod(), testContext());
    expect(initArgs(pod)).not.toContain('--nftables');
    expect(pod.metadata!.annotations![NFT]).toBeUndefined();
  });

  it('passes --nftables to kuma-init and writes the annotation (for kuma-cni) when the injector config asks', () => {
    const pod = inject(appPod(), testContext({ config: (c) => (c.sidecarTraffic.nftables = true) }));
    expect(initArgs(pod)).toEqual(['--exclude-inbound-ports=9001', '--redirect-all-dns-traffic', '--nftables', '--verbose']);
    expect(pod.metadata!.annotations![NFT]).toBe('enabled');
  });

  it('lets the pod annotation turn it on or off over the injector config', () => {
    expect(initArgs(inject(appPod({ annotations: { [NFT]: 'true' } }), testContext()))).toContain('--nftables');
    const off = inject(appPod({ annotations: { [NFT]: 'disabled' } }), testContext({ config: (c) => (c.sidecarTraffic.nftables = true) }));
    expect(initArgs(off)).not.toContain('--nftables');
  });

  it('refuses a value that is not a boolean, naming the annotation', () => {
    const outcome = injectPod(appPod({ annotations: { [NFT]: 'maybe' } }), testContext());
    expect(outcome.result).toBe('refused');
    expect(outcome.result === 'refused' && outcome.message).toMatch(/traffic\.kuma\.io\/nftables/);
  });
});

describe('the nftables extension on the config-annotation path', () => {
  const configMap = (yaml: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kuma-transparent-proxy-config', namespace: 'kuma-system' },
    data: { 'config.yaml': yaml },
  });
  const ctx = (yaml = 'kumaDPUser: "5678"\n', nftables = false) =>
    testContext({
      objects: [enabledNamespace(), mesh(), configMap(yaml)],
      config: (c) => {
        c.transparentProxyConfigMap = 'kuma-transparent-proxy-config';
        c.sidecarTraffic.nftables = nftables;
      },
    });
  /** The config kuma-init and kuma-cni read back from the pod's annotation. */
  const podConfig = (pod: Pod) => {
    const config = defaultConfig();
    applyConfigDocument(config, pod.metadata!.annotations!['traffic.kuma.io/transparent-proxy-config']!);
    return config;
  };

  it('leaves `nftables` out of the config unless asked (Kuma’s output unchanged)', () => {
    const pod = inject(appPod(), ctx());
    expect(pod.metadata!.annotations!['traffic.kuma.io/transparent-proxy-config']).not.toContain('nftables');
    expect(podConfig(pod).nftables).toBe(false);
  });

  it.each([
    ['the injector config', ctx(undefined, true), appPod()],
    ['the ConfigMap', ctx('kumaDPUser: "5678"\nnftables: true\n'), appPod()],
    ['the pod annotation', ctx(), appPod({ annotations: { [NFT]: 'enabled' } })],
  ])('puts `nftables: true` in the pod’s config when %s asks', (_source, context, pod) => {
    const injected = inject(pod, context);
    expect(injected.metadata!.annotations!['traffic.kuma.io/transparent-proxy-config']).toMatch(/\nnftables: true\n/);
    expect(podConfig(injected).nftables).toBe(true);
  });

  it('lets the pod annotation turn it off over the ConfigMap', () => {
    const pod = inject(appPod({ annotations: { [NFT]: 'false' } }), ctx('kumaDPUser: "5678"\nnftables: true\n'));
    expect(podConfig(pod).nftables).toBe(false);
  });
});
