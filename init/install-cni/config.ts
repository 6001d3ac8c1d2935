// The agent's configuration, read from the environment only (a pure function
// of it). Kuma 2.13.10's names and defaults first (app/cni/pkg/install/
// installer_config.go, envconfig without prefix); then the container paths
// Kuma hard-codes, each overridable so the agent runs outside a container;
// then what this agent adds: the readiness endpoint and the race repair.
// REFRESH_SA_TOKEN_INTERVAL is not read: the token is re-read on every pass
// (when its directory changes, and every CFGCHECK_INTERVAL seconds).
import { InstallCniError } from './errors.ts';

export type LogLevel = 'off' | 'info' | 'debug';
export type RepairMode = 'off' | 'delete' | 'label';

export interface RepairConfig {
  mode: RepairMode;
  /** This node's name (downward API `spec.nodeName`): only its pods are watched. */
  nodeName: string;
  /** At most this many pods are deleted or labelled per minute. */
  perMinute: number;
  /** The label set in `label` mode (and on pods without a controller in `delete` mode). */
  label: { key: string; value: string };
  /** The init container whose failure marks a pod started before the plugin was ready. */
  validatorContainer: string;
  /** Kubeconfig file for the agent's own API calls; in-cluster config when undefined. */
  kubeconfigFile: string | undefined;
}

export interface AgentConfig {
  // Kuma 2.13.10's environment.
  /** Seconds between full checks; a fallback here, since file changes are watched. */
  checkIntervalSeconds: number;
  chained: boolean;
  /** CNI_CONF_NAME; undefined means: discover it in the conf dir. */
  confName: string | undefined;
  logLevel: LogLevel;
  /** CNI_NETWORK_CONFIG: the plugin's JSON with __KUBECONFIG_FILEPATH__ and __SERVICEACCOUNT_TOKEN__. */
  networkConfigTemplate: string;
  /** The conf dir as the host sees it (CNI_NET_DIR): only used to point the plugin at its kubeconfig. */
  hostConfDir: string;
  kubeconfigName: string;
  caFile: string;
  tokenFile: string;
  apiServer: { protocol: string; host: string | undefined; port: string | undefined };
  /** The host's conf dir as mounted in the container (MOUNTED_CNI_NET_DIR). */
  confDir: string;
  /** SLEEP=false: install, clean up and exit. */
  stayRunning: boolean;

  // Kuma's fixed container paths, overridable.
  pluginBinary: string;
  /** Where the binary goes: the first writable one is enough; cleanup removes it from the first only. */
  binDirs: [primary: string, secondary: string];
  readyFile: string;
  /** argv[0] the kuma-cni plugin looks for to send its logs to this process's stderr. */
  processTitle: string;

  // Added by this agent.
  readyz: { host: string; port: number } | undefined;
  repair: RepairConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const configError = (message: string) => new InstallCniError('config', message);

/** Go's strconv.ParseBool, which envconfig uses. */
function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw configError(`${name}: "${value}" is not a boolean`);
}

function integer(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^[+-]?\d{1,9}$/.test(value)) throw configError(`${name}: "${value}" is not an integer`);
  return Number(value);
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, kind: 'config' | 'logLevel' = 'config'): T {
  const value = text(env, name, fallback);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InstallCniError(kind, `${name}: "${value}" is not one of ${allowed.join(', ')}`);
}

/** `host:port` (host optional, IPv6 in brackets); port 0 picks a free port. */
function listenAddress(env: Env, name: string, fallback: string): { host: string; port: number } | undefined {
  const value = text(env, name, fallback);
  if (value === 'off') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw configError(`${name}: "${value}" is not host:port (or off)`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** `key=value`, a Kubernetes label. */
function label(env: Env, name: string, fallback: string): { key: string; value: string } {
  const value = text(env, name, fallback);
  const match = /^((?:[a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)=([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/.exec(value);
  if (!match) throw configError(`${name}: "${value}" is not a label key=value`);
  return { key: match[1]!, value: match[3] ?? '' };
}

function repairConfig(env: Env): RepairConfig {
  const mode = oneOf<RepairMode>(env, 'INSTALL_CNI_REPAIR_MODE', ['off', 'delete', 'label'], 'off');
  const nodeName = text(env, 'NODE_NAME', '');
  if (mode !== 'off' && nodeName === '') throw configError(`NODE_NAME must be set when INSTALL_CNI_REPAIR_MODE is ${mode}`);
  const perMinute = integer(env, 'INSTALL_CNI_REPAIR_PER_MINUTE', 10);
  if (perMinute <= 0 || perMinute > 600) throw configError('INSTALL_CNI_REPAIR_PER_MINUTE needs to be between 1 and 600');
  return {
    mode,
    nodeName,
    perMinute,
    label: label(env, 'INSTALL_CNI_REPAIR_LABEL', 'cni.kuma.io/validation-failed=true'),
    validatorContainer: text(env, 'INSTALL_CNI_REPAIR_CONTAINER', 'kuma-validation'),
    kubeconfigFile: env.INSTALL_CNI_KUBECONFIG || undefined,
  };
}

export function loadAgentConfig(env: Env): AgentConfig {
  const checkIntervalSeconds = integer(env, 'CFGCHECK_INTERVAL', 1);
  if (checkIntervalSeconds <= 0) throw configError('CFGCHECK_INTERVAL env variable needs to be greater than 0');
  return {
    checkIntervalSeconds,
    chained: bool(env, 'CHAINED_CNI_PLUGIN', true),
    confName: env.CNI_CONF_NAME || undefined,
    logLevel: oneOf<LogLevel>(env, 'CNI_LOG_LEVEL', ['off', 'info', 'debug'], 'info', 'logLevel'),
    networkConfigTemplate: env.CNI_NETWORK_CONFIG ?? '',
    hostConfDir: text(env, 'CNI_NET_DIR', '/etc/cni/net.d'),
    kubeconfigName: text(env, 'KUBECFG_FILE_NAME', 'ZZZ-kuma-cni-kubeconfig'),
    caFile: text(env, 'KUBE_CA_FILE', `${SERVICE_ACCOUNT_DIR}/ca.crt`),
    tokenFile: text(env, 'KUBE_SERVICE_ACCOUNT_TOKEN_PATH', `${SERVICE_ACCOUNT_DIR}/token`),
    apiServer: {
      protocol: text(env, 'KUBERNETES_SERVICE_PROTOCOL', 'https'),
      host: env.KUBERNETES_SERVICE_HOST || undefined,
      port: env.KUBERNETES_SERVICE_PORT || undefined,
    },
    confDir: text(env, 'MOUNTED_CNI_NET_DIR', '/host/etc/cni/net.d'),
    stayRunning: bool(env, 'SLEEP', true),
    pluginBinary: text(env, 'INSTALL_CNI_PLUGIN_BINARY', '/opt/cni/bin/kuma-cni'),
    binDirs: [text(env, 'INSTALL_CNI_BIN_DIR', '/host/opt/cni/bin'), text(env, 'INSTALL_CNI_SECONDARY_BIN_DIR', '/host/secondary-bin-dir')],
    readyFile: text(env, 'INSTALL_CNI_READY_FILE', '/tmp/ready'),
    processTitle: text(env, 'INSTALL_CNI_PROCESS_TITLE', '/install-cni'),
    readyz: listenAddress(env, 'INSTALL_CNI_READYZ_ADDRESS', ':9779'),
    repair: repairConfig(env),
  };
}
