// A CNI chain driven as a container runtime drives it (libcni): each plugin
// exec'd with CNI_* variables and its config on stdin, the previous plugin's
// result passed on as `prevResult`. The runtime and its plugins live in a
// "node" network namespace the test made (the bridge and the stand-in API
// server are there, never on the host); each pod gets its own namespace.
// Pods come from our webhook (in-process `kuma-injector inject`), in CNI mode
// or in init mode, on the legacy-annotation or the config-annotation path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { injectOffline } from '../../webhook/inject-offline.ts';
import { createNetns, type Netns, type RunResult } from '../netns.ts';
import { StandInPodApi, type StandInPod } from './stand-in-pod-api.ts';

export const CNI_BIN = '/usr/lib/cni';

/**
 * The environment a container runtime passes on besides CNI_*: its own, which on a node is little more
 * than PATH. Not this test process's: a developer shell or CI runner may set variables that change what
 * a plugin does or costs (NODE_EXTRA_CA_CERTS makes every Node start parse a CA bundle, about 65 ms
 * here; docs/benchmarks.md).
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
export const TP_CONFIG_MAP = 'kuma-transparent-proxy-config';

export type InjectMode = 'cni-legacy' | 'cni-config' | 'init-legacy' | 'init-config';

const STATE = `apiVersion: v1
kind: Namespace
metadata: { name: demo, labels: { kuma.io/sidecar-injection: enabled } }
---
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata: { name: default }
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ${TP_CONFIG_MAP}, namespace: kuma-system }
data:
  config.yaml: |
    kumaDPUser: "5678"
    redirect:
      dns:
        enabled: true
        captureAll: true
`;

const appPod = (name: string, namespace: string): StandInPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] } as { name: string }] },
});

/** The pod as our webhook injects it (Kuma 2.13 defaults) in the given mode. */
export async function injectedPod(name: string, mode: InjectMode): Promise<StandInPod> {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-cni-inject-'));
  writeFileSync(join(dir, 'state.yaml'), STATE);
  const config = { cniEnabled: mode.startsWith('cni'), transparentProxyConfigMap: mode.endsWith('config') ? TP_CONFIG_MAP : '' };
  writeFileSync(join(dir, 'config.yaml'), stringify(config));
  const argv = ['-f', '-', '--state', join(dir, 'state.yaml'), '--config', join(dir, 'config.yaml')];
  const r = await injectOffline(argv, stringify(appPod(name, 'demo')));
  if (r.exitCode !== 0) throw new Error(`inject failed: ${r.stderr}`);
  return parse(r.stdout) as StandInPod;
}

export const plainPod = appPod;

/** The kuma-init container's arguments of an init-mode pod. */
export function kumaInitArgs(pod: StandInPod): string[] {
  const init = (pod.spec.initContainers ?? []).find((c) => c.name === 'kuma-init') as { args?: string[] } | undefined;
  if (!init?.args) throw new Error('no kuma-init container');
  return init.args;
}

export interface ChainResult {
  /** What the bridge plugin printed (the prevResult kuma-cni gets). */
  bridge: string;
  kuma: RunResult;
}

/** A node: its namespace, a bridge with host-local IPAM, the stand-in API server and kuma-cni's conflist entry. */
export class CniNode {
  private podCount = 0;
  readonly kubeconfig: string;
  readonly logFile: string;
  private readonly dataDir: string;

  private constructor(
    readonly ns: Netns,
    readonly api: StandInPodApi,
    readonly subnet: number,
    dir: string,
  ) {
    this.dataDir = join(dir, 'ipam');
    this.kubeconfig = join(dir, 'ZZZ-kuma-cni-kubeconfig');
    this.logFile = join(dir, 'kuma-cni.log');
    writeFileSync(this.kubeconfig, api.kubeconfigYaml(), { mode: 0o600 });
  }

  static async create(subnet: number): Promise<CniNode> {
    const ns = await createNetns('node');
    const api = await StandInPodApi.startIn(ns);
    return new CniNode(ns, api, subnet, mkdtempSync(join(tmpdir(), 'kuma-cni-node-')));
  }

  get gateway(): string {
    return `10.244.${this.subnet}.1`;
  }

  /** Kuma's Helm conflist entry (kumahq/kuma: deployments/charts/kuma/templates/cni-configmap.yaml), our kubeconfig. */
  kumaConf(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { type: 'kuma-cni', log_level: 'debug', kubernetes: { kubeconfig: this.kubeconfig, cni_bin_dir: CNI_BIN, exclude_namespaces: ['kube-system'] }, ...extra };
  }

  bridgeConf(): Record<string, unknown> {
    const s = this.subnet;
    return {
      type: 'bridge',
      bridge: 'ktcni0',
      isGateway: true,
      ipam: { type: 'host-local', dataDir: this.dataDir, ranges: [[{ subnet: `10.244.${s}.0/24` }], [{ subnet: `fd00:244:${s}::/64` }]] },
    };
  }

  /** Runs one plugin in the node namespace as libcni does. */
  exec(binary: string, command: string, pod: CniPodRef, conf: object, env: Record<string, string> = {}): Promise<RunResult> {
    return this.ns.run(binary, [], {
      input: JSON.stringify(conf),
      replaceEnv: true,
      env: {
        ...RUNTIME_ENV,
        CNI_COMMAND: command,
        CNI_CONTAINERID: pod.containerId,
        CNI_NETNS: `/run/netns/${pod.netns.name}`,
        CNI_IFNAME: pod.ifname,
        CNI_PATH: CNI_BIN,
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId};K8S_POD_UID=u-${pod.containerId}`,
        KUMA_CNI_LOG_FILE: this.logFile,
        ...env,
      },
      timeoutMs: 60_000,
    });
  }

  async newPod(name: string, namespace = 'demo'): Promise<CniPodRef> {
    return { name, namespace, netns: await createNetns('pod'), containerId: `c${process.pid}x${++this.podCount}`, ifname: 'eth0' };
  }

  /**
   * ADD through the chain: loopback (its own network, as containerd runs it), then bridge → `kuma`
   * (the kuma-cni binary, or none to stop after the bridge), cniVersion `version`.
   */
  async add(pod: CniPodRef, kuma: string | undefined, version = '0.3.1', kumaEnv: Record<string, string> = {}, kumaExtra: Record<string, unknown> = {}): Promise<ChainResult> {
    const ok = (r: RunResult, what: string) => {
      if (r.code !== 0) throw new Error(`${what} ADD failed (${r.code}): ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    ok(await this.exec(join(CNI_BIN, 'loopback'), 'ADD', { ...pod, ifname: 'lo' }, { cniVersion: version, name: 'cni-loopback', type: 'loopback' }), 'loopback');
    const name = 'kt-net';
    const bridge = ok(await this.exec(join(CNI_BIN, 'bridge'), 'ADD', pod, { cniVersion: version, name, ...this.bridgeConf() }), 'bridge');
    if (!kuma) return { bridge, kuma: { code: 0, stdout: '', stderr: '' } };
    const prevResult = JSON.parse(bridge) as object;
    return { bridge, kuma: await this.exec(kuma, 'ADD', pod, { cniVersion: version, name, ...this.kumaConf(kumaExtra), prevResult }, kumaEnv) };
  }

  async destroy(): Promise<void> {
    await this.api.close();
    await this.ns.destroy();
  }
}

export interface CniPodRef {
  name: string;
  namespace: string;
  netns: Netns;
  containerId: string;
  ifname: string;
}

/** The pod's IPv4 address on eth0, as the bridge's result reports it. */
export function podIPv4(bridgeResult: string): string {
  const result = JSON.parse(bridgeResult) as { ips: Array<{ address: string }> };
  const v4 = result.ips.find((ip) => !ip.address.includes(':'));
  if (!v4) throw new Error(`no IPv4 in ${bridgeResult}`);
  return v4.address.split('/')[0]!;
}

/** iptables-save of a namespace for comparisons: no comments, no counters. */
export async function rulesOf(ns: Netns): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const save of ['iptables-save', 'ip6tables-save', 'iptables-legacy-save', 'ip6tables-legacy-save']) {
    out[save] = (await ns.iptablesSave(save)).replace(/\[\d+:\d+\]/g, '[0:0]');
  }
  return out;
}
