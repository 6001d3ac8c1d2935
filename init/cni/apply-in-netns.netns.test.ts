// The pod-netns SystemDeps and Kuma's sandbox: commands, interfaces and
// /proc/net are the pod's; nsswitch.conf is masked and the xtables lock is the
// netns file inside the sandbox only; installs in one netns exclude each other;
// a netns that cannot be entered fails.
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { connectPeer, createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import type { NetnsLock } from '../system/index.ts';
import { checkPodNetns, podNetnsDeps, startPodNetnsLock, startSandbox, type Sandbox } from './apply-in-netns.ts';
import { CniError } from './errors.ts';

describe.skipIf(missingRootTools('ip', 'nsenter', 'unshare'))('kuma-cni in the pod netns', () => {
  let pod: Netns;
  let path: string;
  let sandbox: Sandbox;
  const heldLock: NetnsLock = { held: Promise.resolve(), release: () => Promise.resolve() };
  beforeAll(async () => {
    pod = await createNetns('cni-deps');
    await connectPeer(pod);
    path = `/run/netns/${pod.name}`;
    sandbox = await startSandbox(path).ready;
  });
  afterAll(async () => {
    sandbox?.close();
    await destroyAll();
  });

  it('runs commands and reads interfaces and /proc/net inside the pod netns', async () => {
    const deps = podNetnsDeps(path, sandbox, heldLock);
    const names = (await deps.interfaces()).map((i) => i.name);
    expect(names).toContain('lo');
    expect(names.some((n) => n.startsWith('kv'))).toBe(true);
    expect(names).toHaveLength(2);
    const link = await deps.run('ip', ['-o', 'link']);
    expect(link.stdout.trim().split('\n')).toHaveLength(2);
    await expect(deps.readFile('/proc/net/if_inet6')).resolves.toContain(' lo');
    expect(deps.env).toEqual({ XTABLES_LOCKFILE: path });
  });

  it('masks nsswitch.conf and puts the netns file over the xtables lock, inside the sandbox only', async () => {
    const deps = podNetnsDeps(path, sandbox, heldLock);
    expect((await deps.run('cat', ['/etc/nsswitch.conf'])).stdout).toBe('');
    expect(readFileSync('/etc/nsswitch.conf', 'utf8')).not.toBe('');
    const lock = await deps.run('stat', ['-L', '-c', '%i', '/run/xtables.lock']);
    if (lock.code === 0) {
      expect(Number(lock.stdout.trim())).toBe(statSync(path).ino);
      expect(statSync('/run/xtables.lock').ino).not.toBe(statSync(path).ino);
    }
  });

  it('takes one install lock per pod netns, not the netns file that is the xtables lock', async () => {
    const first = startPodNetnsLock(path, 0.5);
    await first.held;
    const second = startPodNetnsLock(path, 0.5);
    await expect(second.held).rejects.toMatchObject({ code: 'NETNS_LOCKED' });
    const other = await createNetns('cni-lock');
    const elsewhere = startPodNetnsLock(`/run/netns/${other.name}`, 0.5);
    await expect(elsewhere.held).resolves.toBeUndefined();
    // The xtables lock (the netns file) stays free for iptables-legacy-restore meanwhile.
    const xtables = await pod.run('flock', ['--nonblock', path, 'true']);
    expect(xtables.code).toBe(0);
    await Promise.all([first.release(), second.release(), elsewhere.release()]);
    const again = startPodNetnsLock(path, 0.5);
    await expect(again.held).resolves.toBeUndefined();
    await again.release();
  });

  it('refuses what is not a network namespace, and the plugin\'s own without the override', async () => {
    await expect(startSandbox('/etc/hostname').ready).rejects.toThrow();
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as CniError).code;
      }
      return 0;
    };
    expect(code(() => checkPodNetns('/etc/hostname', false))).toBe(8);
    expect(code(() => checkPodNetns('/proc/self/ns/net', false))).toBe(8);
    expect(code(() => checkPodNetns('/proc/self/ns/net', true))).toBe(0);
    expect(code(() => checkPodNetns(path, false))).toBe(0);
  });
});
