// kuma-cni, top to bottom: request (protocol.ts, pure) → for ADD, the pod's
// decision (pod-decision.ts, pure, after at most one pod GET) → install in the
// pod netns (apply-in-netns.ts, thin) → the prevResult printed back. Kuma
// 2.13.10's cmdAdd/cmdDel/cmdCheck (kumahq/kuma@v2.13.10:
// app/cni/pkg/cni/main_linux.go); the deliberate differences are listed in
// docs/cni.md. Returns the exit code; stdout carries only the result or the
// error object.
import { checkPodNetns, prepareInstall, type PodNetnsInstaller } from './apply-in-netns.ts';
import { CniError, errorJson, wrap } from './errors.ts';
import { openCniLog, type CniLog } from './log.ts';
import { getPodWithRetry, KUMA_POD_RETRY, kubePodFetcher, type FetchPod, type RetryPolicy } from './pod-api.ts';
import { decideBeforeFetch, decideForPod } from './pod-decision.ts';
import { parseCniArgs, parseLogLevel, parsePluginConf } from './plugin-config.ts';
import { emptyResult, formatResult } from './prev-result.ts';
import { aboutText, netnsCheckOverridden, parseRequest, versionJson, type CmdArgs, type Env, type JsonObject } from './protocol.ts';

export const PLUGIN_VERSION = '0.1.0';

export interface PluginIo {
  env: Env;
  /** At most MAX_STDIN_BYTES + 1 bytes of stdin. */
  readStdin(): Buffer;
  stdout(text: string): void;
  stderr(text: string): void;
  logFile: string;
  retry?: RetryPolicy;
  /** Unit tests replace the API client and the installer; production uses kube-client.ts and apply-in-netns.ts. */
  podFetcher?: (kubeconfig: string) => Promise<FetchPod>;
  prepareInstall?: (netns: string, log: CniLog) => PodNetnsInstaller;
}

const INSTALL_CONTEXT = { 'config-annotation': 'failed to inject iptables rules', 'legacy-annotations': 'could not inject rules into namespace' } as const;

async function add(args: CmdArgs, stdinConf: JsonObject, cniVersion: string, io: PluginIo, log: CniLog): Promise<string> {
  let conf;
  try {
    conf = parsePluginConf(stdinConf, cniVersion);
  } catch (error) {
    throw error instanceof CniError ? wrap('failed to parse kuma-cni configuration in cmdAdd', error) : error;
  }
  log.setLevel(parseLogLevel(conf.logLevel));
  const k8s = parseCniArgs(args.args);
  const pod = { pod: k8s.podName, namespace: k8s.podNamespace, containerId: args.containerId, netns: args.netns };
  log.debug('cmdAdd config parsed', { version: cniVersion, ...pod });
  checkPodNetns(args.netns, netnsCheckOverridden(args));
  const result = () => formatResult(conf.prevResult ?? emptyResult(), cniVersion);

  const before = decideBeforeFetch(k8s, conf.excludeNamespaces);
  if (before.kind === 'skip') {
    log.info('pod excluded', { reason: before.reason, ...pod });
    return result();
  }
  // The sandbox's processes start while the pod is fetched.
  const installer = (io.prepareInstall ?? prepareInstall)(args.netns, log);
  let decision;
  try {
    const fetcher = await (io.podFetcher ?? kubePodFetcher)(conf.kubeconfig);
    const view = await getPodWithRetry(fetcher, before.namespace, before.name, io.retry ?? KUMA_POD_RETRY, (error) => log.debug('pod GET failed, retrying', { error, ...pod }));
    decision = decideForPod(view);
  } catch (error) {
    installer.close();
    throw error;
  }
  if (decision.kind === 'skip') {
    installer.close();
    log.info('pod excluded', { reason: decision.reason, ...pod });
    return result();
  }
  log.debug('installing the transparent proxy', { source: decision.source, ...pod });
  await installer.install(decision.config, INSTALL_CONTEXT[decision.source]);
  log.info('successfully injected iptables rules', { source: decision.source, ...pod });
  return result();
}

export async function runPlugin(io: PluginIo): Promise<number> {
  const command = io.env.CNI_COMMAND ?? '';
  let request;
  try {
    request = parseRequest(io.env, () => io.readStdin());
  } catch (error) {
    // DEL never fails: a runtime retries a failed DEL forever and the pod cannot go away.
    if (command === 'DEL') return 0;
    if (!(error instanceof CniError)) throw error;
    io.stdout(errorJson(error));
    return 1;
  }
  if (request.kind === 'about') {
    io.stderr(aboutText(PLUGIN_VERSION));
    return 0;
  }
  if (request.kind === 'version') {
    io.stdout(versionJson());
    return 0;
  }
  // DEL, CHECK, GC and STATUS have nothing to do (Kuma: no-ops); the rules go with the netns.
  if (request.command !== 'ADD') return 0;

  const log = openCniLog(io.logFile);
  try {
    io.stdout(await add(request.args, request.conf, request.cniVersion, io, log));
    return 0;
  } catch (error) {
    const failure = error instanceof CniError ? error : new CniError('APPLY', (error as Error).message ?? String(error));
    log.info('ADD failed', { reason: failure.message, id: failure.id, containerId: request.args.containerId });
    io.stdout(errorJson(failure));
    return 1;
  } finally {
    log.close();
  }
}
