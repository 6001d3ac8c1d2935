// The injector's configuration: Kuma 2.13's runtime.kubernetes.injector block
// (loaded and validated) and the settings given on the command line.
export { type InjectorConfig, kumaDefaultInjectorConfig, type ProbeSettings, zeroInjectorConfig } from './injector-config.ts';
export { ConfigError, type ConfigDefaults, injectorConfigFrom, loadInjectorConfig } from './load-config.ts';
export { defaultSettings, type InjectorSettings, readCaCert, type SidecarContainersMode, sidecarContainersEnabled } from './settings.ts';
export { type InjectorOptions, loadInjectorSetup } from './injector-setup.ts';
