// `ipFamilyMode` values. Kuma matches case-insensitively but stores the
// user's case, so `IPv4` then behaves as dual-stack; we store lower case
// (a documented deviation: `IPv4` really means IPv4-only here).
import type { IpFamilyMode } from './config.ts';
import { ConfigError } from './errors.ts';

export const allowedIpFamilyModes = "'dualstack' or 'ipv4'";

/** `""` means dualstack; throws `must be one of 'dualstack' or 'ipv4'` otherwise. */
export function parseIpFamilyMode(value: string): IpFamilyMode {
  const lower = value.toLowerCase();
  if (lower === '' || lower === 'dualstack') return 'dualstack';
  if (lower === 'ipv4') return 'ipv4';
  throw new ConfigError(`must be one of ${allowedIpFamilyModes}`);
}
