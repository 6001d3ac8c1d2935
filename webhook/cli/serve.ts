// `kuma-injector serve`: the HTTPS admission webhook. The cluster state comes
// from watch caches (the default, in a cluster), from YAML files (`--state`),
// or from the embedded demo (`--demo`, which also makes its own certificate).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type ConfigDefaults, defaultSettings, type InjectorConfig, loadInjectorSetup, type SidecarContainersMode } from '../config/index.ts';
import { demoObjects, podAdmissionReview, samplePod } from '../demo/index.ts';
import { createInjectionContext, injectPod } from '../engine/index.ts';
import { buildWebhookServer, defaultBodyLimit, type InjectFn } from '../http/index.ts';
import { type ClusterState, loadStateFiles, StaticClusterState, stderrLogger, type StateLogger } from '../state/index.ts';
import { WatchedKeyPair } from '../tls/index.ts';

export interface ServeOptions {
  config?: string;
  configDefaults: ConfigDefaults;
  state: string[];
  demo?: boolean;
  kubeconfig?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  port: number;
  host?: string;
  controlPlaneUrl: string;
  caCertFile?: string;
  systemNamespace: string;
  envoyAdminPort: number;
  sidecarContainers: SidecarContainersMode;
  deltaXds: boolean;
  bodyLimit: number;
  logLevel: string;
  shutdownDelay?: number;
}

const integer = (what: string, max: number) => (value: string): number => {
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || parsed > max) throw new InvalidArgumentError(`must be ${what}`);
  return parsed;
};
const port = integer('a port number (0-65535)', 65535);
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Where the cluster objects come from, and how to stop watching them. */
interface StateSource {
  state: ClusterState;
  stop(): Promise<void>;
}

/**
 * `--state` files, else the demo objects, or (with a kubeconfig) watch caches of the cluster.
 * The Kubernetes client is loaded only for the cluster: it costs about 100 MB of memory.
 */
async function stateSource(options: ServeOptions, config: InjectorConfig, kubeConfig: KubeConfig | undefined, log: () => StateLogger): Promise<StateSource> {
  if (!kubeConfig) {
    const state = options.state.length > 0 ? loadStateFiles(options.state) : new StaticClusterState(demoObjects());
    return { state, stop: async () => {} };
  }
  const { startInformerState } = await import('../state/informer-state.ts');
  const informers = startInformerState({
    kubeConfig,
    systemNamespace: options.systemNamespace,
    transparentProxyConfigMap: config.transparentProxyConfigMap,
    logger: { info: (fields, message) => log().info(fields, message), warn: (fields, message) => log().warn(fields, message) },
  });
  return { state: informers, stop: () => informers.stop() };
}

async function loadClusterConfig(kubeconfigPath: string | undefined): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('../state/kube-config.ts');
  return loadKubeConfig(kubeconfigPath ? { kubeconfigPath } : {});
}

/** "<major>.<minor>" of the API server, as Kuma reads it for the native-sidecar decision. */
async function apiServerVersion(kubeConfig: KubeConfig): Promise<string> {
  const { VersionApi } = await import('@kubernetes/client-node');
  try {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    return `${version.major}.${version.minor}`;
  } catch (error) {
    throw new Error(`could not read the Kubernetes server version (for --sidecar-containers auto): ${(error as Error).message}`);
  }
}

/** `--demo` without TLS files: a fresh CA and serving certificate, and a review for curl, in a temp dir. */
async function demoFiles(): Promise<{ dir: string; caFile: string; certFile: string; keyFile: string; reviewFile: string }> {
  // Loaded only here: the certificate library costs about 18 MB of memory.
  const { generateSelfSigned, writeCertificates } = await import('../tls/self-signed.ts');
  const dir = mkdtempSync(join(tmpdir(), 'kuma-injector-demo-'));
  const files = writeCertificates(dir, await generateSelfSigned());
  const reviewFile = join(dir, 'review.json');
  writeFileSync(reviewFile, `${JSON.stringify(podAdmissionReview(samplePod()), null, 2)}\n`);
  return { dir, ...files, reviewFile };
}

const stateStopTimeoutMs = 2000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs until SIGTERM or SIGINT, then fails readiness, waits, drains and closes. */
export async function runServe(options: ServeOptions): Promise<void> {
  const demo = options.demo && !options.tlsCertFile ? await demoFiles() : undefined;
  const certFile = options.tlsCertFile ?? demo?.certFile;
  const keyFile = options.tlsKeyFile ?? demo?.keyFile;
  if (!certFile || !keyFile) throw new Error('--tls-cert-file and --tls-key-file are required (or --demo)');

  const inCluster = !options.demo && options.state.length === 0;
  const kubeConfig = inCluster ? await loadClusterConfig(options.kubeconfig) : undefined;
  // Kuma's rule for native sidecars needs the API server's version; without a cluster, "auto" is off.
  const serverVersion = options.sidecarContainers === 'auto' && kubeConfig ? await apiServerVersion(kubeConfig) : undefined;
  const setup = loadInjectorSetup({
    config: options.config,
    configDefaults: options.configDefaults,
    controlPlaneUrl: options.controlPlaneUrl,
    caCertFile: options.caCertFile,
    systemNamespace: options.systemNamespace,
    envoyAdminPort: options.envoyAdminPort,
    sidecarContainers: options.sidecarContainers === 'auto' && serverVersion === undefined ? 'off' : options.sidecarContainers,
    serverVersion,
    deltaXds: options.deltaXds,
  });
  // State events go to the server's log once it exists, to stderr before that.
  const stateLog: { to: StateLogger } = { to: stderrLogger };
  const source = await stateSource(options, setup.config, kubeConfig, () => stateLog.to);
  const context = createInjectionContext({ ...setup, state: source.state });
  const inject: InjectFn = (pod, namespace) => injectPod(pod, namespace !== undefined ? { ...context, namespace } : context);

  // The server logs and counts the pairs the watcher refuses.
  const tls = new WatchedKeyPair({ certFile, keyFile });
  let draining = false;
  const app = buildWebhookServer({
    inject,
    state: source.state,
    tls,
    bodyLimit: options.bodyLimit,
    logger: { level: options.logLevel },
    draining: () => draining,
  });
  stateLog.to = app.log;
  await app.listen({ host: options.host ?? (options.demo ? '127.0.0.1' : '0.0.0.0'), port: options.port });
  const address = app.server.address();
  const listeningPort = typeof address === 'object' && address ? address.port : options.port;
  if (options.sidecarContainers === 'auto' && !context.settings.sidecarContainersEnabled) {
    app.log.warn({ serverVersion }, 'WARNING: sidecarContainers feature is enabled but Kubernetes server does not support it');
  }
  app.log.info({ port: listeningPort, nativeSidecars: context.settings.sidecarContainersEnabled }, `kuma-injector listening ${listeningPort}`);
  if (demo) printDemo(listeningPort, demo.caFile, demo.reviewFile);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  // Fail readiness first so endpoints drop this pod, keep serving meanwhile, then close.
  draining = true;
  const delaySeconds = options.shutdownDelay ?? (options.demo ? 0 : 5);
  app.log.info({ signal, delaySeconds }, 'shutting down: readiness fails now, closing after the delay');
  await sleep(delaySeconds * 1000);
  await app.close();
  tls.close();
  // Closing the watches must not hold the exit: the process ends right after this.
  const stopped = await Promise.race([source.stop().then(() => true), sleep(stateStopTimeoutMs).then(() => false)]);
  if (!stopped) app.log.warn({ timeoutMs: stateStopTimeoutMs }, 'cluster state watches did not close in time; exiting anyway');
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
}

function printDemo(port: number, caFile: string, reviewFile: string): void {
  process.stdout.write(
    [
      '',
      `kuma-injector demo: https://127.0.0.1:${port}/inject-sidecar`,
      '  state: namespace "demo" (kuma.io/sidecar-injection: enabled) and the "default" Mesh',
      `  CA certificate: ${caFile}`,
      `  sample AdmissionReview: ${reviewFile}`,
      '  try:',
      `curl -sS --cacert ${caFile} -H 'content-type: application/json' --data @${reviewFile} https://127.0.0.1:${port}/inject-sidecar`,
      '',
      '',
    ].join('\n'),
  );
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the HTTPS admission webhook (POST /inject-sidecar, /healthz, /readyz, /metrics)')
    .option('--config <file>', 'injector config (kuma-cp config or a bare runtime.kubernetes.injector block)')
    .addOption(new Option('--config-defaults <base>', 'start from kuma-cp 2.13 defaults or from zero values').choices(['kuma', 'none']).default('kuma'))
    .option('--state <file>', 'YAML with Namespaces, Meshes, ContainerPatches, ConfigMaps (repeatable); default: watch the cluster', collect, [])
    .option('--demo', 'self-signed certificate, embedded demo state (unless --state), and a curl example; listens on 127.0.0.1')
    .option('--kubeconfig <file>', 'kubeconfig for the watch caches (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--tls-cert-file <file>', 'serving certificate (PEM); reloaded when it changes')
    .option('--tls-key-file <file>', 'serving key (PEM); reloaded when it changes')
    .option('--port <port>', 'HTTPS port', port, 9443)
    .option('--host <address>', 'listen address (default 0.0.0.0; 127.0.0.1 with --demo)')
    .option('--control-plane-url <url>', 'control-plane URL for the sidecar', defaultSettings.controlPlaneUrl)
    .option('--ca-cert-file <file>', 'control-plane CA certificate (overrides caCertFile of the config)')
    .option('--system-namespace <name>', "Kuma's namespace (ContainerPatches, ConfigMap)", defaultSettings.systemNamespace)
    .option('--envoy-admin-port <port>', 'Envoy admin port', port, defaultSettings.envoyAdminPort)
    .addOption(
      new Option('--sidecar-containers <mode>', "native sidecars (Kuma 2.13: off); auto: Kuma's experimental.sidecarContainers, on when the API server is 1.29 or newer (off without a cluster)")
        .choices(['on', 'off', 'auto'])
        .default('off'),
    )
    .option('--delta-xds', 'sidecars use delta xDS', false)
    .option('--body-limit <bytes>', 'largest accepted AdmissionReview', integer('a byte count', 2 ** 31), defaultBodyLimit)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .option('--shutdown-delay <seconds>', 'seconds between failing readiness and closing on SIGTERM (default 5; 0 with --demo)', integer('a number of seconds', 3600))
    .action((options: ServeOptions) => runServe(options));
}
