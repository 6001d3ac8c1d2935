// The per-namespace install lock on a real kernel: exclusive within one
// namespace, independent across namespaces, released when its holder is killed.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { createNetns, destroyAll } from '../../test-support/init/netns.ts';
import { netnsDeps } from '../../test-support/init/netns-deps.ts';
import { ApplyError } from './errors.ts';
import { withNetnsLock } from './netns-lock.ts';

const skip = missingRootTools('ip', 'flock');

describe.skipIf(skip)('withNetnsLock', () => {
  afterAll(destroyAll);

  it('is exclusive per namespace and independent across namespaces', async () => {
    const [a, b] = [await createNetns('lock'), await createNetns('lock')];
    const inner = await withNetnsLock(netnsDeps(a), 1, async () => {
      const blocked = await withNetnsLock(netnsDeps(a), 1, () => Promise.resolve('second')).catch((e: unknown) => e);
      const other = await withNetnsLock(netnsDeps(b), 1, () => Promise.resolve('other namespace'));
      return { blocked, other };
    });
    expect(inner.blocked).toBeInstanceOf(ApplyError);
    expect((inner.blocked as ApplyError).code).toBe('NETNS_LOCKED');
    expect(inner.other).toBe('other namespace');
    // Released after use.
    expect(await withNetnsLock(netnsDeps(a), 1, () => Promise.resolve('again'))).toBe('again');
  });

  it('a SIGKILLed holder releases the lock', async () => {
    const ns = await createNetns('lock');
    // Its own process group, killed as a whole as a container kill does (flock and its child share the lock).
    const holder = spawn('ip', ['netns', 'exec', ns.name, 'flock', '/proc/self/ns/net', 'sleep', '60'], { stdio: 'ignore', detached: true });
    await new Promise((r) => setTimeout(r, 300));
    const held = await withNetnsLock(netnsDeps(ns), 0.5, () => Promise.resolve('got it')).catch((e: unknown) => e);
    expect((held as ApplyError).code).toBe('NETNS_LOCKED');
    const closed = new Promise((r) => holder.on('close', r));
    process.kill(-holder.pid!, 'SIGKILL');
    await closed;
    expect(await withNetnsLock(netnsDeps(ns), 1, () => Promise.resolve('got it'))).toBe('got it');
  });
});
