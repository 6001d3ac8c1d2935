// One install (or uninstall) at a time per network namespace. Two kuma-init
// runs in one namespace (a CNI retry, a restarted init container racing its
// predecessor, two hosts' agents) otherwise read the same snapshot and the
// second one's restore fails with "Chain already exists", then rolls back over
// the first one's rules (issue 9). Why this shape:
// - the lock is an flock(2) on the namespace's own nsfs inode
//   (`/proc/self/ns/net` opened inside the namespace): every process of that
//   namespace, and anyone opening /var/run/netns/<name>, sees the same inode,
//   no lock directory is needed (the init container's file system may be
//   read-only), and the kernel releases it when the holder dies, so a killed
//   install never leaves a stale lock;
// - Node has no flock(2), so util-linux `flock` holds it: `flock … cat` started
//   through SystemDeps.hold (in the target namespace) echoes a token once it
//   holds the lock and lives until its stdin closes — on release, or when this
//   process is killed;
// - kuma-cni makes the netns file its xtables lock (XTABLES_LOCKFILE, as Kuma),
//   so an flock on the same inode would block its own iptables-legacy-restore:
//   it locks a host file keyed by that inode instead, and starts taking that
//   lock while it fetches the pod (SystemDeps.netnsLock).
import { ApplyError } from './errors.ts';
import type { NetnsLock, SystemDeps } from './deps.ts';

const ready = 'kuma-init-netns-lock\n';

/**
 * Starts taking the lock on `file` (default: the namespace's nsfs inode as `hold` sees it); `held`
 * settles once it is held, or rejects with NETNS_LOCKED (not within `waitSeconds`; 0: no limit, as
 * iptables' own `--wait 0`) or NETNS_LOCK_FAILED (no `flock`). Nothing is changed in either case.
 */
export function startNetnsLock(deps: Pick<SystemDeps, 'hold' | 'env'>, waitSeconds: number, file = '/proc/self/ns/net'): NetnsLock {
  const wait = waitSeconds > 0 ? ['--wait', String(waitSeconds)] : [];
  const holder = deps.hold('flock', ['--exclusive', ...wait, '--conflict-exit-code', '75', file, 'cat'], ready, { env: deps.env });
  const held = holder.ready.then((got) => {
    if (got.held) return;
    if (got.result.code === 75) {
      throw new ApplyError(
        'NETNS_LOCKED',
        `another kuma-init install or uninstall kept this network namespace locked for ${waitSeconds}s; nothing was changed. Next step: retry, or raise --wait`,
      );
    }
    throw new ApplyError(
      'NETNS_LOCK_FAILED',
      `could not lock the network namespace with flock (${got.result.stderr.trim() || `exit code ${got.result.code}`}); nothing was changed. Next step: install util-linux (flock) in the init image`,
    );
  });
  held.catch(() => undefined); // observed by whoever awaits it; a lock released unused must not be an unhandled rejection
  return { held, release: () => holder.release() };
}

/**
 * Runs `fn` holding the namespace's lock: `deps.netnsLock` when the caller already started taking one
 * (and releases it itself), otherwise one taken and released here.
 */
export async function withNetnsLock<T>(deps: Pick<SystemDeps, 'hold' | 'env' | 'netnsLock'>, waitSeconds: number, fn: () => Promise<T>): Promise<T> {
  const lock = deps.netnsLock ?? startNetnsLock(deps, waitSeconds);
  try {
    await lock.held;
    return await fn();
  } finally {
    if (!deps.netnsLock) await lock.release();
  }
}
