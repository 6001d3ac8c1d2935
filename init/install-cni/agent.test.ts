// The agent in its own process, over a temp dir standing for the node's
// /etc/cni/net.d with a primary plugin's conflist: it chains in, puts kuma-cni
// back within 1 s after the primary rewrites its file (inotify, not the
// poll: CFGCHECK_INTERVAL is an hour here), follows token rotation, answers
// /readyz by the chain's state, never exposes a half-written file, and on
// SIGTERM leaves the primary's file as it was.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonObject } from './go-json.ts';
import { startAgent, timeUntil, type AgentProcess } from '../../test-support/init/install-cni/agent-process.ts';
import { makeNodeDirs, type NodeDirs } from '../../test-support/init/install-cni/node-dirs.ts';

// The primary plugin's file as it writes it (its own key order and layout, which must survive).
const PRIMARY = `{
  "name": "k8s-pod-network",
  "cniVersion": "0.3.1",
  "plugins": [
    { "type": "calico", "mtu": 1440, "ipam": { "type": "calico-ipam" } },
    { "type": "portmap", "snat": true, "capabilities": { "portMappings": true } }
  ]
}
`;

const hasKuma = (path: string): boolean => {
  const config = parseJsonObject(existsSync(path) ? readFileSync(path, 'utf8') : '');
  return Array.isArray(config?.plugins) && config.plugins.some((p: { type?: string }) => p.type === 'kuma-cni');
};

/** The primary plugin rewriting its file (atomically, as calico and cilium do). */
function primaryWrites(path: string, text: string): void {
  writeFileSync(`${path}.primary-tmp`, text, { mode: 0o644 });
  renameSync(`${path}.primary-tmp`, path);
}

const status = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe('install-cni agent process', () => {
  let node: NodeDirs;
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    node.remove();
  });

  const start = (env: Record<string, string> = {}) => (agent = startAgent({ ...node.env, CFGCHECK_INTERVAL: '3600', ...env }));

  it('chains in, is ready, and puts kuma-cni back within 1 s after the primary rewrites its file', async () => {
    node = makeNodeDirs();
    const conflist = join(node.confDir, '10-calico.conflist');
    writeFileSync(conflist, PRIMARY, { mode: 0o644 });
    const url = await start().readinessUrl();
    await agent!.waitForLog('kuma-cni is installed and in the chain');
    expect(hasKuma(conflist)).toBe(true);
    expect(await status(url)).toBe(200);
    expect(readFileSync(join(node.binDir, 'kuma-cni'))).toEqual(readFileSync(node.pluginBinary));
    expect(statSync(join(node.binDir, 'kuma-cni')).mode & 0o111).toBe(0o111);
    expect(statSync(join(node.confDir, 'ZZZ-kuma-cni-kubeconfig')).mode & 0o777).toBe(0o600);
    expect(existsSync(node.readyFile)).toBe(true);
    // The plugin finds the agent as Kuma's does: the first word of argv[0] in /proc/<pid>/cmdline.
    expect(readFileSync(`/proc/${agent!.child.pid}/cmdline`, 'utf8').split('\0')[0]).toBe(node.env.INSTALL_CNI_PROCESS_TITLE);

    for (let i = 0; i < 3; i++) {
      primaryWrites(conflist, PRIMARY);
      expect(hasKuma(conflist)).toBe(false);
      const took = await timeUntil(() => hasKuma(conflist), 1000);
      expect(took).toBeLessThan(1000);
    }
    // A primary that truncates and rewrites in place (not atomically) is repaired too.
    writeFileSync(conflist, PRIMARY);
    await timeUntil(() => hasKuma(conflist), 1000);
    expect(await status(url)).toBe(200);
  });

  it('on SIGTERM leaves the primary file as it was before, byte for byte, and removes what it added', async () => {
    node = makeNodeDirs();
    const conflist = join(node.confDir, '10-calico.conflist');
    writeFileSync(conflist, PRIMARY, { mode: 0o640 });
    start();
    await agent!.waitForLog('kuma-cni is installed and in the chain');
    primaryWrites(conflist, PRIMARY.replace('1440', '1400')); // the primary changes its config while we run
    const expected = readFileSync(conflist, 'utf8');
    await timeUntil(() => hasKuma(conflist), 1000);
    expect(await agent!.stop()).toBe(0);
    expect(readFileSync(conflist, 'utf8')).toBe(expected);
    expect(statSync(conflist).mode & 0o777).toBe(0o644);
    expect(readdirSync(node.confDir)).toEqual(['10-calico.conflist']);
    expect(readdirSync(node.binDir)).toEqual([]);
    expect(existsSync(node.readyFile)).toBe(false);
  });

  it('restores a single-plugin .conf it wrapped into a list', async () => {
    node = makeNodeDirs();
    const conf = join(node.confDir, '10-flannel.conf');
    const flannel = '{\n  "name": "cbr0",\n  "type": "flannel",\n  "delegate": { "isDefaultGateway": true }\n}\n';
    writeFileSync(conf, flannel);
    start();
    await agent!.waitForLog('kuma-cni is installed and in the chain');
    expect(hasKuma(conf)).toBe(true);
    expect(await agent!.stop()).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(flannel);
  });

  it('is not ready until the primary plugin writes its config, then chains in within 1 s', async () => {
    node = makeNodeDirs();
    const url = await start().readinessUrl();
    expect(await status(url)).toBe(503);
    expect(await (await fetch(`${url}/readyz`)).text()).toContain('no CNI config file holds kuma-cni yet');
    expect(existsSync(node.readyFile)).toBe(false);
    const conflist = join(node.confDir, '10-calico.conflist');
    primaryWrites(conflist, PRIMARY);
    await timeUntil(() => hasKuma(conflist), 1000);
    await timeUntil(() => existsSync(node.readyFile), 1000);
    expect(await status(url)).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('rewrites the kubeconfig within 1 s when the projected token rotates', async () => {
    node = makeNodeDirs({ token: 'token-1' });
    writeFileSync(join(node.confDir, '10-calico.conflist'), PRIMARY);
    start();
    await agent!.waitForLog('kuma-cni is installed and in the chain');
    const kubeconfig = join(node.confDir, 'ZZZ-kuma-cni-kubeconfig');
    expect(readFileSync(kubeconfig, 'utf8')).toContain('    token: token-1\n');
    node.rotateToken('token-2');
    await timeUntil(() => readFileSync(kubeconfig, 'utf8').includes('    token: token-2\n'), 1000);
  });

  it('never exposes a half-written file under a name the runtime loads', async () => {
    node = makeNodeDirs();
    const conflist = join(node.confDir, '10-calico.conflist');
    // A large primary config makes a torn write likely to be seen if writes were not atomic.
    const big = PRIMARY.replace('"mtu": 1440', `"mtu": 1440, "padding": "${'x'.repeat(200_000)}"`);
    writeFileSync(conflist, big);
    start();
    await agent!.waitForLog('kuma-cni is installed and in the chain');
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        for (const name of readdirSync(node.confDir).filter((n) => /\.(conf|conflist|json)$/.test(n))) {
          const text = readFileSync(join(node.confDir, name), 'utf8');
          expect(name).toBe('10-calico.conflist');
          expect(parseJsonObject(text), `torn read of ${name} (${text.length} bytes)`).toBeDefined();
          reads++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 0; i < 10; i++) {
      primaryWrites(conflist, big);
      await timeUntil(() => hasKuma(conflist), 1000);
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(10);
  });

  it('exits with Kuma\'s code 3 when it cannot write the kubeconfig', async () => {
    node = makeNodeDirs();
    rmSync(join(node.serviceAccountDir, 'token'));
    start();
    const exit = await new Promise<number | null>((resolve) => agent!.child.once('exit', resolve));
    expect(exit).toBe(3);
    expect(agent!.log()).toContain('INSTALL_CNI_KUBECONFIG');
  });
});
