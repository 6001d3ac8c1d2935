// The node agent from start to stop: install, then keep the node installed
// (a pass on every change in a watched directory, and every CFGCHECK_INTERVAL
// seconds as a fallback), serve readiness, run the race repair when asked,
// and undo the install when told to stop.
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import type { AgentConfig } from './config.ts';
import { DirWatcher } from './dir-watcher.ts';
import { failingAs, InstallCniError } from './errors.ts';
import { Installer } from './installer.ts';
import type { AgentLog } from './log.ts';
import type { PodRepair } from './pod-repair.ts';
import { startReadinessServer, type ReadinessServer } from './readiness.ts';

/** Runs one pass at a time; a request during a pass runs one more pass after it. */
function serialized(pass: () => Promise<void>): { run: () => void; idle: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again);
    })().finally(() => (running = undefined));
  };
  return { run, idle: async () => running };
}

/** Installs, stays until `stop` is aborted (unless SLEEP=false), cleans up. Resolves to the process exit code. */
export async function runAgent(config: AgentConfig, log: AgentLog, stop: AbortSignal): Promise<number> {
  const installer = new Installer(config, log);
  let ready = false;
  let readyFileWritten = false;
  let repair: PodRepair | undefined;

  const syncReadyFile = async () => {
    if (ready === readyFileWritten) return;
    await failingAs('readyFile', `unable to update the ready file ${config.readyFile}`, () =>
      ready ? writeFileAtomic(config.readyFile, '', 0o644) : rm(config.readyFile, { force: true }),
    );
    readyFileWritten = ready;
  };

  const pass = async (first: boolean) => {
    let problems: string[];
    try {
      problems = await installer.reconcile();
    } catch (error) {
      if (first) throw error;
      log.error('install pass failed', { error: (error as Error).message });
      problems = [(error as Error).message];
    }
    const nowReady = problems.length === 0;
    if (nowReady !== ready || first) log.info(nowReady ? 'kuma-cni is installed and in the chain' : 'kuma-cni is not ready', nowReady ? {} : { problems });
    ready = nowReady;
    try {
      await syncReadyFile();
    } catch (error) {
      if (first) throw error;
      log.error((error as Error).message);
    }
    if (ready) repair?.nudge();
  };

  const cleanUp = async () => {
    await installer.cleanup();
    await rm(config.readyFile, { force: true }).catch((error: Error) => log.error('could not remove the ready file', { error: error.message }));
    log.info('finished cleanup');
  };

  let server: ReadinessServer | undefined;
  try {
    await pass(true);
    if (!config.stayRunning) {
      log.info('SLEEP is false: cleaning up');
      await cleanUp();
      return 0;
    }
    if (config.readyz) {
      const listen = config.readyz;
      server = await failingAs('config', 'cannot serve the readiness endpoint', () => startReadinessServer(listen, () => installer.problems(), log));
    }
  } catch (error) {
    await server?.close();
    if (!(error instanceof InstallCniError)) throw error;
    log.error(error.message, { code: error.code });
    return error.exitCode;
  }

  const passes = serialized(() => pass(false));
  const watcher = new DirWatcher([config.confDir, dirname(config.tokenFile), dirname(config.caFile), config.binDirs[0]], passes.run);
  const interval = setInterval(() => {
    watcher.refresh();
    passes.run();
  }, config.checkIntervalSeconds * 1000);
  passes.run(); // sees what changed between the first pass and the watches

  let exitCode = 0;
  if (config.repair.mode !== 'off') {
    try {
      // Loaded only when used: the Kubernetes client is most of the agent's start-up time and memory.
      // (A static import also made bin/install-cni.js hang at start under tsx's loader.)
      const { PodRepair, repairKubeConfig } = await import('./pod-repair.ts');
      const kubeConfig = await failingAs('config', 'cannot load the kubeconfig for the race repair', () => repairKubeConfig(config.repair.kubeconfigFile));
      repair = new PodRepair(config.repair, kubeConfig, log, () => ready);
      repair.start();
    } catch (error) {
      if (!(error instanceof InstallCniError)) throw error;
      log.error(error.message, { code: error.code });
      exitCode = error.exitCode;
    }
  }

  if (exitCode === 0) await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  log.info('stopping: cleaning up');
  clearInterval(interval);
  watcher.close();
  repair?.stop();
  await passes.idle();
  await server?.close();
  await cleanUp();
  return exitCode;
}
