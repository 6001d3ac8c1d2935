// `kuma-injector serve`: the HTTPS admission webhook. The cluster state comes
// from watch caches (the default, in a cluster), from YAML files (`--state`),
// or from the embedded demo (`--demo`, which also makes its own certificate).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { Command, Option } from 'commander';
import { ConfigError, type ConfigDefaults, defaultSettings, type InjectorConfig, loadInjectorSetup, type SidecarContainersMode } from '../config/index.ts';
import { demoObjects, podAdmissionReview, samplePod } from '../demo/index.ts';
import { createInjectionContext } from '../engine/index.ts';
import { trackConnections } from '../kube-api/index.ts';
import { defaultMaxInflightBytes } from '../limits/index.ts';
import { buildWebhookServer, defaultBodyLimit, WebhookMetrics, type InjectFn } from '../http/index.ts';
import { type ClusterState, loadStateFiles, StaticClusterState, stderrLogger, type StateLogger } from '../state/index.ts';
import { registerCertificateExpiry, WatchedKeyPair, type KeyPairSource } from '../tls/index.ts';
import { collect, controlPlaneUrl, integerFlag, listenPort, targetPort } from './flag-values.ts';
import { injectNoticingOthers } from './foreign-sidecar.ts';
import { checkServingFiles, clusterConfig, readFlagFile, StartupError } from './serve-startup.ts';

export interface ServeOptions {
  config?: string;
  configDefaults: ConfigDefaults;
  state: string[];
  demo?: boolean;
  kubeconfig?: string;
  tlsMode: 'files' | 'self-managed';
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsSecret?: string;
  webhookConfiguration?: string;
  tlsDnsName: string[];
  port: number;
  host?: string;
  controlPlaneUrl: string;
  caCertFile?: string;
  systemNamespace: string;
  envoyAdminPort: number;
  sidecarContainers: SidecarContainersMode;
  deltaXds: boolean;
  bodyLimit: number;
  maxInflightBytes: number;
  logLevel: string;
  shutdownDelay?: number;
}

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

/** True when `work` settles within `ms`; the timer is cleared either way, so it does not hold the exit. */
async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Things to undo when `serve` ends, last first, whether it started or failed. */
class Cleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];
  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** The injector config and settings from the flags; a config or CA file problem names its flag. */
function serveSetup(options: ServeOptions, serverVersion: string | undefined) {
  if (options.config !== undefined) readFlagFile('--config', options.config);
  if (options.caCertFile !== undefined) readFlagFile('--ca-cert-file', options.caCertFile);
  try {
    return loadInjectorSetup({
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
  } catch (error) {
    if (error instanceof ConfigError && options.config !== undefined) throw new StartupError(`--config ${options.config}: ${error.message}`);
    throw new StartupError((error as Error).message);
  }
}

/** pino-shaped, as Fastify's `app.log`. */
interface ServeLogger extends StateLogger {
  error(fields: object, message: string): void;
}

const stderrServeLogger: ServeLogger = {
  ...stderrLogger,
  error: (fields, message) => void process.stderr.write(`${JSON.stringify({ level: 'error', time: Date.now(), msg: message, ...fields })}\n`),
};

/**
 * The serving key pair: the files, watched and reloaded; or (`--tls-mode self-managed`) a CA and
 * certificate the webhook issues itself, kept in a Secret, with its own configuration's caBundle
 * reconciled (webhook/tls/self-managed/, loaded only in that mode: it needs the Kubernetes client).
 */
async function servingKeyPair(
  options: ServeOptions,
  files: { certFile: string; keyFile: string } | undefined,
  kubeConfig: KubeConfig | undefined,
  log: () => ServeLogger,
): Promise<KeyPairSource & { close(): void }> {
  if (options.tlsMode === 'files') {
    // The server logs and counts the pairs the watcher refuses.
    return new WatchedKeyPair(files!);
  }
  if (!kubeConfig) throw new StartupError('--tls-mode self-managed needs the cluster: drop --demo and --state');
  const { startSelfManagedTls } = await import('../tls/self-managed/index.ts');
  const logger: ServeLogger = { info: (f, m) => log().info(f, m), warn: (f, m) => log().warn(f, m), error: (f, m) => log().error(f, m) };
  try {
    return await startSelfManagedTls(
      kubeConfig,
      { secret: options.tlsSecret ?? '', webhookConfiguration: options.webhookConfiguration ?? '', dnsNames: options.tlsDnsName },
      logger,
    );
  } catch (error) {
    throw new StartupError(`--tls-mode self-managed: ${(error as Error).message}`);
  }
}

/** Runs until SIGTERM or SIGINT, then fails readiness, waits, drains and closes. */
export async function runServe(options: ServeOptions): Promise<void> {
  const cleanups = new Cleanups();
  let log: ServeLogger;
  try {
    log = await serveUntilSignal(options, cleanups);
  } finally {
    // Also on a failed start: watches stop, and --demo's folder (its private key included) goes.
    await cleanups.run();
  }
  // The last line: after it the process ends by itself, with nothing left open.
  log.info({}, 'kuma-injector stopped');
}

/** Serves until a signal; resolves to the server's logger. */
async function serveUntilSignal(options: ServeOptions, cleanups: Cleanups): Promise<ServeLogger> {
  const selfManaged = options.tlsMode === 'self-managed';
  const demo = options.demo && !options.tlsCertFile ? await demoFiles() : undefined;
  if (demo) cleanups.add(() => rmSync(demo.dir, { recursive: true, force: true }));
  const certFile = options.tlsCertFile ?? demo?.certFile;
  const keyFile = options.tlsKeyFile ?? demo?.keyFile;
  const files = certFile && keyFile ? { certFile, keyFile } : undefined;
  if (!selfManaged && !files) throw new StartupError('--tls-cert-file and --tls-key-file are both required (or --demo, or --tls-mode self-managed)');
  // Local inputs first, so a typo fails at once rather than after connecting to the cluster.
  if (files) checkServingFiles(files);
  serveSetup(options, undefined);

  const inCluster = !options.demo && options.state.length === 0;
  const connections = inCluster ? trackConnections(await clusterConfig(options.kubeconfig)) : undefined;
  // Last of all: whatever the Kubernetes client still has open (a request under way) must not hold the exit.
  if (connections) cleanups.add(() => connections.closeAll());
  const kubeConfig = connections?.kubeConfig;
  // Kuma's rule for native sidecars needs the API server's version; without a cluster, "auto" is off.
  const serverVersion = options.sidecarContainers === 'auto' && kubeConfig ? await apiServerVersion(kubeConfig) : undefined;
  const setup = serveSetup(options, serverVersion);
  // State and certificate events go to the server's log once it exists, to stderr before that.
  const stateLog: { to: ServeLogger } = { to: stderrServeLogger };
  const source = await stateSource(options, setup.config, kubeConfig, () => stateLog.to);
  cleanups.add(async () => {
    // Closing the watches must not hold the exit.
    if (!(await settlesWithin(source.stop(), stateStopTimeoutMs))) stateLog.to.warn({ timeoutMs: stateStopTimeoutMs }, 'cluster state watches did not close in time; exiting anyway');
  });
  const context = createInjectionContext({ ...setup, state: source.state });
  const inject: InjectFn = (pod, namespace) =>
    injectNoticingOthers(pod, namespace !== undefined ? { ...context, namespace } : context);

  const tls = await servingKeyPair(options, files, kubeConfig, () => stateLog.to);
  cleanups.add(() => tls.close());
  const metrics = new WebhookMetrics();
  registerCertificateExpiry(metrics.registry, tls);
  let draining = false;
  const app = buildWebhookServer({
    inject,
    state: source.state,
    tls,
    metrics,
    bodyLimit: options.bodyLimit,
    maxInflightBytes: options.maxInflightBytes,
    logger: { level: options.logLevel },
    draining: () => draining,
  });
  cleanups.add(() => app.close());
  stateLog.to = app.log;
  const host = options.host ?? (options.demo ? '127.0.0.1' : '0.0.0.0');
  try {
    await app.listen({ host, port: options.port });
  } catch (error) {
    throw new StartupError(`--host ${host} --port ${options.port}: cannot listen: ${(error as Error).message}; pick a free port (0 picks one) or another address`);
  }
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
  // Fail readiness first so endpoints drop this pod, keep serving meanwhile; the cleanups then close.
  draining = true;
  const delaySeconds = options.shutdownDelay ?? (options.demo ? 0 : 5);
  app.log.info({ signal, delaySeconds }, 'shutting down: readiness fails now, closing after the delay');
  await sleep(delaySeconds * 1000);
  return app.log;
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
    .addOption(new Option('--tls-mode <mode>', 'where the serving certificate comes from: files (--tls-cert-file/--tls-key-file) or self-managed (issued and rotated by the webhook, kept in --tls-secret)').choices(['files', 'self-managed']).default('files'))
    .option('--tls-cert-file <file>', 'serving certificate (PEM); reloaded when it changes')
    .option('--tls-key-file <file>', 'serving key (PEM); reloaded when it changes')
    .option('--tls-secret <namespace/name>', 'self-managed mode: the Secret that holds the CA and the serving certificate')
    .option('--webhook-configuration <name>', "self-managed mode: this webhook's MutatingWebhookConfiguration, whose caBundle it keeps")
    .option('--tls-dns-name <name>', 'self-managed mode: a DNS name of the serving certificate, e.g. <service>.<namespace>.svc (repeatable)', collect, [])
    .option('--port <port>', 'HTTPS port (0 picks a free one)', listenPort, 9443)
    .option('--host <address>', 'listen address (default 0.0.0.0; 127.0.0.1 with --demo)')
    .option('--control-plane-url <url>', 'control-plane URL for the sidecar', controlPlaneUrl, defaultSettings.controlPlaneUrl)
    .option('--ca-cert-file <file>', 'control-plane CA certificate (overrides caCertFile of the config)')
    .option('--system-namespace <name>', "Kuma's namespace (ContainerPatches, ConfigMap)", defaultSettings.systemNamespace)
    .option('--envoy-admin-port <port>', 'Envoy admin port', targetPort, defaultSettings.envoyAdminPort)
    .addOption(
      new Option('--sidecar-containers <mode>', "native sidecars (Kuma 2.13: off); auto: Kuma's experimental.sidecarContainers, on when the API server is 1.29 or newer (off without a cluster)")
        .choices(['on', 'off', 'auto'])
        .default('off'),
    )
    .option('--delta-xds', 'sidecars use delta xDS', false)
    .option('--body-limit <bytes>', 'largest accepted AdmissionReview', integerFlag('a byte count (1 to 2147483648)', 1, 2 ** 31), defaultBodyLimit)
    .option('--max-inflight-bytes <bytes>', 'bytes of AdmissionReview bodies held at once; beyond, 429 with Retry-After (at least --body-limit)', integerFlag('a byte count (1 to 2147483648)', 1, 2 ** 31), defaultMaxInflightBytes)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .option('--shutdown-delay <seconds>', 'seconds between failing readiness and closing on SIGTERM (default 5; 0 with --demo)', integerFlag('a number of seconds (0-3600)', 0, 3600))
    .action((options: ServeOptions, command: Command) => {
      const tlsFiles = [options.tlsCertFile, options.tlsKeyFile].filter((file) => file !== undefined).length;
      if (options.tlsMode === 'self-managed') {
        if (tlsFiles > 0 || options.demo || options.state.length > 0) {
          command.error('error: --tls-mode self-managed issues its own certificate in the cluster: drop --tls-cert-file, --tls-key-file, --demo and --state', { exitCode: 1, code: 'kuma-injector.usage' });
        }
      } else if (tlsFiles === 1 || (tlsFiles === 0 && !options.demo)) {
        command.error('error: --tls-cert-file and --tls-key-file are both required (or --demo, which makes its own)', { exitCode: 1, code: 'kuma-injector.usage' });
      }
      if (options.maxInflightBytes < options.bodyLimit) {
        command.error(`error: --max-inflight-bytes (${options.maxInflightBytes}) must be at least --body-limit (${options.bodyLimit}): a request at the limit could never be served`, { exitCode: 1, code: 'kuma-injector.usage' });
      }
      return runServe(options);
    });
}
