// Installs the transparent proxy inside the pod's network namespace with
// kuma-init's own pipeline (detect → render → install; init/pipeline/):
// the only file of the plugin that touches the pipeline and SystemDeps.
// Node cannot setns(2), so every command runs through `nsenter`. Kuma's
// per-command sandbox (kumahq/kuma@v2.13.10: pkg/transparentproxy/iptables/
// executables, CNI mode) becomes one sandbox per ADD: a holder process that
// lives in the pod netns and in a private mount namespace with /dev/null
// bound read-only over /etc/nsswitch.conf (no NSS lookups from xt_owner in a
// half-built netns, kuma issue 11038) and the netns file over
// /run/xtables.lock (Kuma's lock for iptables < 1.8.6); each command joins both namespaces of
// the holder (`nsenter --target`), so it costs one exec instead of four. The
// xtables lock is the netns file itself (XTABLES_LOCKFILE, as Kuma does for
// iptables >= 1.8.6), so the host's /run/xtables.lock is never contended.
// When the sandbox cannot be set up (SELinux, no unshare), Kuma's warning is
// logged and commands run with `nsenter --net` only.
import { spawn, type ChildProcess } from 'node:child_process';
import { statfsSync, statSync } from 'node:fs';
import type { TransparentProxyConfig } from '../config/index.ts';
import { detectAndInstall } from '../pipeline/index.ts';
import { parseIpAddrJson } from '../profile/index.ts';
import { spawnCommand, startNetnsLock, systemDeps, type NetnsLock, type RunCommand, type SystemDeps } from '../system/index.ts';
import { CniError } from './errors.ts';
import type { CniLog } from './log.ts';

const NSFS_MAGIC = 0x6e736673;
const SANDBOX_READY_MS = 5000;
/** How long an ADD waits for another install in the same netns: Kuma's default `wait`, since the lock is taken before the pod's config is known. */
const NETNS_LOCK_WAIT_SECONDS = 5;
/**
 * Masks nsswitch.conf and, for iptables older than 1.8.6 (no XTABLES_LOCKFILE), puts the netns file
 * ($1) over the xtables lock, each when there is one; says so, then waits until its stdin closes.
 */
const SANDBOX_SCRIPT = [
  'if [ -e /etc/nsswitch.conf ]; then mount --bind -o ro /dev/null /etc/nsswitch.conf || exit 1; fi',
  'if [ -e /run/xtables.lock ]; then mount --bind -o ro "$1" /run/xtables.lock || exit 1; fi',
  'echo ready',
  'read _',
].join('; ');

/** CNI_NETNS must be a network namespace, and not the plugin's own (skel's check; Kuma makes it after ADD). */
export function checkPodNetns(path: string, overridden: boolean): void {
  let ours: { dev: number; ino: number };
  let theirs: { dev: number; ino: number };
  try {
    if (statfsSync(path).type !== NSFS_MAGIC) throw new Error('not a namespace file');
    theirs = statSync(path);
    ours = statSync('/proc/self/ns/net');
  } catch (error) {
    throw new CniError('NETNS_INVALID', `failed to open network namespace '${path.slice(0, 256)}': ${(error as Error).message}`);
  }
  if (!overridden && theirs.dev === ours.dev && theirs.ino === ours.ino) {
    throw new CniError('NETNS_INVALID', "plugin's netns and netns from CNI_NETNS should not be the same");
  }
}

export interface Sandbox {
  pid: number;
  close(): void;
}

interface StartingSandbox {
  ready: Promise<Sandbox>;
  /** Ends the holder whether or not it is ready yet. */
  cancel(): void;
}

/** The holder process: in the pod netns, in a private mount namespace with nsswitch.conf masked. */
export function startSandbox(netns: string): StartingSandbox {
  const holder: ChildProcess = spawn('nsenter', [`--net=${netns}`, '--', 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', SANDBOX_SCRIPT, 'sandbox', netns], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const close = () => {
    holder.stdin?.end();
    if (holder.exitCode === null) holder.kill();
  };
  const ready = new Promise<Sandbox>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail('timed out'), SANDBOX_READY_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      close();
      reject(new Error(`${why}${stderr ? `: ${stderr.trim().slice(0, 512)}` : ''}`));
    };
    holder.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    holder.stdin!.on('error', () => undefined);
    holder.on('error', (error) => fail(error.message));
    holder.on('exit', (code) => fail(`sandbox exited with code ${code}`));
    holder.stdout!.setEncoding('utf8').once('data', (chunk: string) => {
      if (!chunk.startsWith('ready')) return fail(`unexpected output ${JSON.stringify(chunk.slice(0, 64))}`);
      clearTimeout(timer);
      holder.removeAllListeners('exit');
      resolve({ pid: holder.pid!, close });
    });
  });
  return { ready, cancel: close };
}

/**
 * The install lock of the pod netns. Not an flock on the netns file, which is the xtables lock below and
 * would block the plugin's own iptables-legacy-restore, but on a host file keyed by its inode (inode
 * numbers are reused, so these files stay as many as the netns alive at once).
 */
export function startPodNetnsLock(netns: string, waitSeconds = NETNS_LOCK_WAIT_SECONDS): NetnsLock {
  const inode = statSync(netns, { throwIfNoEntry: false })?.ino ?? 0;
  return startNetnsLock(systemDeps(), waitSeconds, `/run/kuma-cni-netns-${inode}.lock`);
}

/** SystemDeps whose commands, interfaces and /proc/net are the pod netns's; files and binaries are the host's (Kuma: the plugin runs on the host). */
export function podNetnsDeps(netns: string, sandbox: Sandbox | undefined, netnsLock: NetnsLock): SystemDeps {
  const enter = sandbox ? [`--target=${sandbox.pid}`, '--net', '--mount'] : [`--net=${netns}`];
  const run: RunCommand = (cmd, args, opts) => spawnCommand('nsenter', [...enter, '--', cmd, ...args], opts);
  const host = systemDeps();
  return {
    ...host,
    run,
    readFile: async (path) => {
      if (!path.startsWith('/proc/net/')) return host.readFile(path);
      if (sandbox) return host.readFile(`/proc/${sandbox.pid}/net/${path.slice('/proc/net/'.length)}`);
      const r = await run('cat', [path]);
      if (r.code !== 0) throw new Error(r.stderr.trim());
      return r.stdout;
    },
    interfaces: async () => {
      const r = await run('ip', ['-j', 'addr', 'show']);
      if (r.code !== 0) throw new Error(`ip -j addr show in ${netns}: ${r.stderr.trim()}`);
      return parseIpAddrJson(r.stdout);
    },
    writeFile: () => Promise.reject(new Error('kuma-cni writes no files on the host')),
    env: { XTABLES_LOCKFILE: netns },
    netnsLock,
  };
}

export interface PodNetnsInstaller {
  /** Kuma's Initialize + Setup inside the pod netns; errors are CniErrors prefixed with `context`. */
  install(config: TransparentProxyConfig, context: string): Promise<void>;
  /** Releases the sandbox when nothing is installed (a skipped pod). */
  close(): void;
}

/**
 * Starts setting up the sandbox and taking the install lock at once, so their processes run while the
 * pod is fetched; the install waits for both. The restore input is logged at debug.
 */
export function prepareInstall(netns: string, log: CniLog): PodNetnsInstaller {
  const starting = startSandbox(netns);
  const lock = startPodNetnsLock(netns);
  const sandbox: Promise<{ ready?: Sandbox; error?: Error }> = starting.ready.then(
    (ready) => ({ ready }),
    (error: Error) => ({ error }),
  );
  return {
    install: async (config, context) => {
      const { ready, error } = await sandbox;
      if (error) {
        log.info(
          `failed to set up the sandbox environment. This may be due to restrictive access controls (e.g., SELinux). Attempting to continue without the sandbox: ${error.message}`,
        );
      }
      try {
        const result = await detectAndInstall(config, podNetnsDeps(netns, ready, lock), {
          log: { info: (message, family) => log.debug(message, { family }), warn: (message, family) => log.info(message, { family }) },
          renderWarning: (line) => log.info(line),
        });
        const { ipv4, ipv6 } = result.rendered;
        log.debug('generated iptables rules', { path: result.path, ipv4: ipv4.restoreInput, ipv6: ipv6?.restoreInput });
      } catch (failure) {
        throw new CniError('APPLY', `${context}: ${(failure as Error).message.slice(0, 2048)}`);
      } finally {
        ready?.close();
        await lock.release();
      }
    },
    close: () => {
      starting.cancel();
      void lock.release();
    },
  };
}
