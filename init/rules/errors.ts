// Errors of the rule planning step. Messages are Kuma 2.13.10's text of the
// failing `Config.Initialize` step (the CLI prefixes `failed to initialize
// config: ` as kumactl does); our own refusals say what to fix.

import { ConfigError } from '../config/index.ts';

export type RenderErrorCode =
  /** `kumaDPUser` names no user in the profile's passwd entries. */
  | 'KUMA_DP_USER_NOT_FOUND'
  /** No `kumaDPUser`, and neither UID 5678 nor user `kuma-dp` exists. */
  | 'KUMA_DP_USER_DEFAULT_NOT_FOUND'
  /** A resolv.conf `nameserver` value is not an IP address (Kuma would capture all DNS instead). */
  | 'NAMESERVER_INVALID'
  /** An exclusion or vnet entry of the configuration does not parse (Kuma's message, wrapped as Kuma wraps it). */
  | 'REDIRECT_CONFIG_INVALID';

export class RenderError extends ConfigError {
  readonly code: RenderErrorCode;

  constructor(code: RenderErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
