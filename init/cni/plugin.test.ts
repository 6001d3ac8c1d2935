// runPlugin end to end without root: the pod API and the netns installer are
// replaced, everything else (protocol, config, decision, result, log) is real.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TransparentProxyConfig } from '../config/index.ts';
import type { PodView } from './pod-decision.ts';
import { runPlugin, type PluginIo } from './plugin.ts';

const logFile = join(mkdtempSync(join(tmpdir(), 'kuma-cni-plugin-')), 'kuma-cni.log');
const prevResult = { cniVersion: '0.3.1', interfaces: [{ name: 'eth0', sandbox: '/proc/self/ns/net' }], ips: [{ version: '4', interface: 0, address: '10.1.0.5/24' }], dns: {} };
const conf = { cniVersion: '0.3.1', name: 'k8s-pod-network', type: 'kuma-cni', log_level: 'debug', kubernetes: { kubeconfig: '/k', exclude_namespaces: ['kube-system'] }, prevResult };
// The plugin's own netns, allowed by CNI_NETNS_OVERRIDE: the installer is a fake anyway.
const env = (command: string, namespace = 'demo') => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: 'c1',
  CNI_NETNS: '/proc/self/ns/net',
  CNI_NETNS_OVERRIDE: '1',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=web`,
});
const injected: PodView = { containers: ['kuma-sidecar', 'web'], initContainers: ['kuma-validation'], annotations: new Map([['kuma.io/sidecar-injected', 'true']]) };

async function run(e: Record<string, string>, stdin: object | string, pod: PodView | Error = injected) {
  let stdout = '';
  let stderr = '';
  const installed: TransparentProxyConfig[] = [];
  let gets = 0;
  let closed = 0;
  const io: PluginIo = {
    env: e,
    readStdin: () => Buffer.from(typeof stdin === 'string' ? stdin : JSON.stringify(stdin)),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    logFile,
    retry: { retries: 2, intervalMs: 0 },
    podFetcher: () =>
      Promise.resolve(() => {
        gets++;
        return pod instanceof Error ? Promise.reject(pod) : Promise.resolve(pod);
      }),
    prepareInstall: () => ({
      install: (config) => {
        installed.push(config);
        return Promise.resolve();
      },
      close: () => void closed++,
    }),
  };
  const code = await runPlugin(io);
  return { code, stdout, stderr, installed, gets, closed };
}

describe('runPlugin', () => {
  it('ADD of an injected pod installs the legacy config and prints the prevResult', async () => {
    const r = await run(env('ADD'), conf);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(prevResult);
    expect(r.installed).toHaveLength(1);
    expect(r.installed[0]!.redirect.outbound.excludePorts).toEqual([9901]);
  });

  it('a skipped pod releases the installer; an excluded namespace makes no API call', async () => {
    const skipped = await run(env('ADD'), conf, { ...injected, containers: ['web'] });
    expect([skipped.code, skipped.installed.length, skipped.closed]).toEqual([0, 0, 1]);
    const excluded = await run(env('ADD', 'kube-system'), conf);
    expect([excluded.code, excluded.gets, excluded.installed.length]).toEqual([0, 0, 0]);
    expect(JSON.parse(excluded.stdout)).toEqual(prevResult);
  });

  it('fails closed after the retries when the pod cannot be read', async () => {
    const r = await run(env('ADD'), conf, new Error('connect ECONNREFUSED'));
    expect(r.code).toBe(1);
    expect(r.gets).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ code: 999, msg: 'failed to get pod annotations: failed to retrieve pod data from Kubernetes API: connect ECONNREFUSED' });
    expect(r.installed).toHaveLength(0);
  });

  it('refuses a bad log level and the plugin\'s own netns without the override', async () => {
    expect(JSON.parse((await run(env('ADD'), { ...conf, log_level: 'trace' })).stdout)).toEqual({ code: 999, msg: 'failed to set log level: unknown log level "trace"' });
    const own = await run({ ...env('ADD'), CNI_NETNS_OVERRIDE: '' }, conf);
    expect(JSON.parse(own.stdout)).toEqual({ code: 8, msg: "plugin's netns and netns from CNI_NETNS should not be the same" });
    expect(own.gets).toBe(0);
  });

  it('DEL always succeeds silently; VERSION and the about text', async () => {
    expect(await run({ CNI_COMMAND: 'DEL' }, '{')).toMatchObject({ code: 0, stdout: '' });
    expect(await run(env('DEL'), conf)).toMatchObject({ code: 0, stdout: '', installed: [] });
    expect(JSON.parse((await run({ CNI_COMMAND: 'VERSION' }, '')).stdout)).toMatchObject({ cniVersion: '1.1.0' });
    expect((await run({}, '')).stderr).toMatch(/^kuma-cni \S+\nCNI protocol versions supported: 0\.1\.0, /);
  });
});
