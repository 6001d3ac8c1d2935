// The injector config and settings from the flags `inject`, `explain` and
// `serve` share: what an injection context (engine/context.ts) is made from,
// besides the cluster state.
import { type InjectorConfig } from './injector-config.ts';
import { ConfigError, type ConfigDefaults, loadInjectorConfig } from './load-config.ts';
import { defaultSettings, type InjectorSettings, readCaCert, sidecarContainersEnabled, type SidecarContainersMode } from './settings.ts';

export interface InjectorOptions {
  config?: string;
  configDefaults: ConfigDefaults;
  controlPlaneUrl?: string;
  caCertFile?: string;
  systemNamespace?: string;
  envoyAdminPort?: number;
  sidecarContainers?: SidecarContainersMode;
  /** The Kubernetes version, e.g. `1.30`, for `sidecarContainers: 'auto'`. */
  serverVersion?: string;
  deltaXds?: boolean;
}

function settingsFrom(options: InjectorOptions, caCertFile: string): InjectorSettings {
  const [major = '', minor = ''] = (options.serverVersion ?? '').replace(/^v/, '').split('.');
  if (options.sidecarContainers === 'auto' && options.serverVersion === undefined) {
    throw new ConfigError('--sidecar-containers auto needs --server-version (the Kubernetes version, e.g. 1.30)');
  }
  return {
    controlPlaneUrl: options.controlPlaneUrl ?? defaultSettings.controlPlaneUrl,
    caCert: readCaCert(caCertFile),
    systemNamespace: options.systemNamespace ?? defaultSettings.systemNamespace,
    envoyAdminPort: options.envoyAdminPort ?? defaultSettings.envoyAdminPort,
    sidecarContainersEnabled: sidecarContainersEnabled(options.sidecarContainers ?? 'off', { major, minor }),
    deltaXdsEnabled: options.deltaXds ?? false,
  };
}

/** Loads the config file (or the defaults) and reads the CA certificate; throws ConfigError with the reason. */
export function loadInjectorSetup(options: InjectorOptions): { config: InjectorConfig; settings: InjectorSettings } {
  const config = loadInjectorConfig(options.config, options.configDefaults);
  if (options.caCertFile !== undefined) config.caCertFile = options.caCertFile;
  return { config, settings: settingsFrom(options, config.caCertFile) };
}
