// What kuma-cp passes to the injector at construction besides the config
// (inject.New in pkg/plugins/runtime/k8s/plugin.go).
import { readFileSync } from 'node:fs';
import type { InjectorConfig } from './injector-config.ts';

export interface InjectorSettings {
  controlPlaneUrl: string;
  /** PEM text of the control-plane CA (the contents of caCertFile), '' when none. */
  caCert: string;
  systemNamespace: string;
  envoyAdminPort: number;
  /** Kubernetes native sidecars: kuma-sidecar goes into initContainers with restartPolicy Always. */
  sidecarContainersEnabled: boolean;
  deltaXdsEnabled: boolean;
}

/** kuma-cp 2.13's values: dpServer on 5678, admin port 9901, kuma-system, native sidecars and delta xDS off. */
export const defaultSettings: InjectorSettings = {
  controlPlaneUrl: 'https://kuma-control-plane.kuma-system:5678',
  caCert: '',
  systemNamespace: 'kuma-system',
  envoyAdminPort: 9901,
  sidecarContainersEnabled: false,
  deltaXdsEnabled: false,
};

/** Reads the CA certificate file named by the config, as inject.New does. */
export function readCaCert(file: string): string {
  if (file === '') return '';
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`could not read provided CA cert file ${file}: ${(error as Error).message}`);
  }
}

export function settingsFor(config: InjectorConfig, overrides: Partial<InjectorSettings> = {}): InjectorSettings {
  return { ...defaultSettings, caCert: readCaCert(config.caCertFile), ...overrides };
}

export type SidecarContainersMode = 'on' | 'off' | 'auto';

/**
 * Kuma 2.13 enables native sidecars only when asked to and the API server is
 * at least 1.29. It builds "<major>.<minor>.0" from the server's version
 * fields and parses it as loose semver; a minor such as "29+" (EKS) makes the
 * string unparsable, so native sidecars stay off there.
 */
export function serverSupportsNativeSidecars(major: string, minor: string): boolean {
  const looseSemver =
    /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
  const match = looseSemver.exec(`${major}.${minor}.0`);
  if (!match) return false;
  const maj = Number(match[1]);
  const min = Number((match[2] ?? '.0').slice(1));
  const patch = Number((match[3] ?? '.0').slice(1));
  const preRelease = match[4] !== undefined;
  if (maj !== 1) return maj > 1;
  if (min !== 29) return min > 29;
  return patch > 0 || !preRelease;
}

/** Resolves on/off/auto; "auto" means Kuma's rule: requested and the server is new enough. */
export function sidecarContainersEnabled(mode: SidecarContainersMode, server?: { major: string; minor: string }): boolean {
  if (mode !== 'auto') return mode === 'on';
  return server !== undefined && serverSupportsNativeSidecars(server.major, server.minor);
}
