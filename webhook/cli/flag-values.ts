// Parsers for the command-line values shared by the sub-commands. Each throws
// commander's InvalidArgumentError, so a bad value is a usage error (exit 1)
// whose message names the flag and says what is expected.
import { InvalidArgumentError } from 'commander';
import type { SidecarContainersMode } from '../config/index.ts';

const digits = /^[0-9]+$/;

/** A whole number from `min` to `max`; `what` says what it is in the message. */
export const integerFlag =
  (what: string, min: number, max: number) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!digits.test(value) || parsed < min || parsed > max) throw new InvalidArgumentError(`must be ${what}`);
    return parsed;
  };

/** A port to listen on: 0 asks the kernel for a free one. */
export const listenPort = integerFlag('a port number (0-65535; 0 picks a free port)', 0, 65535);

/** A port another process listens on (Envoy's admin port): 0 is not one. */
export const targetPort = integerFlag('a port number (1-65535)', 1, 65535);

/** The control-plane URL the sidecar connects to: http(s) with a host. */
export function controlPlaneUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL such as https://kuma-control-plane.kuma-system:5678');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new InvalidArgumentError('must be an http or https URL with a host, such as https://kuma-control-plane.kuma-system:5678');
  }
  return value;
}

/**
 * A Kubernetes server version as `kubectl version` prints it: 1.30, v1.30.2,
 * or a provider's 1.29+ (kept as given: Kuma's rule reads such a minor as too old).
 */
export function serverVersion(value: string): string {
  if (!/^v?[0-9]+\.[0-9]+\+?(\.[0-9]+)?([-+][0-9A-Za-z.-]+)?$/.test(value)) {
    throw new InvalidArgumentError('must be a Kubernetes version such as 1.30 or v1.30.2');
  }
  return value;
}

export function sidecarMode(value: string): SidecarContainersMode {
  const modes: Record<string, SidecarContainersMode> = { on: 'on', true: 'on', off: 'off', false: 'off', auto: 'auto' };
  const mode = Object.prototype.hasOwnProperty.call(modes, value) ? modes[value] : undefined;
  if (!mode) throw new InvalidArgumentError('must be on, off or auto');
  return mode;
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value];
