// Options of `kuma-init install transparent-proxy-validator`, with Kuma 2.13's
// flag semantics and messages: the flags set the IP family mode and the server
// port, unless `--transparent-proxy-config` is given, in which case the loaded
// DataplaneConfig decides both (the flags are then ignored, as in Kuma).
import { type IpFamilyMode, parseIpFamilyMode } from '../config/index.ts';
import { type DataplaneConfigSource, loadDataplaneConfig } from './dataplane-config.ts';

export const DEFAULT_VALIDATION_SERVER_PORT = 15006;

export interface ValidatorOptions {
  /** Lower case, as the install command stores it (so `IPv4` means IPv4 here, unlike Kuma). */
  ipFamilyMode: IpFamilyMode;
  /** Where the validation server listens (the inbound redirect port); 0 = any free port. */
  serverPort: number;
}

/** Raw flag values as the CLI received them. */
export interface ValidatorFlags {
  ipFamilyMode?: string;
  validationServerPort?: string;
  transparentProxyConfig?: readonly string[];
}

export class ValidatorOptionsError extends Error {
  readonly code = 'KUMA_INIT_VALIDATOR_OPTIONS';
}

/** `--ip-family-mode`: pflag's wording around Kuma's IPFamilyMode.Set error. */
export function parseIpFamilyModeFlag(value: string): IpFamilyMode {
  try {
    return parseIpFamilyMode(value);
  } catch (e) {
    throw new ValidatorOptionsError(`invalid argument "${value}" for "--ip-family-mode" flag: ${(e as Error).message}`);
  }
}

/**
 * `--validation-server-port`: a uint16 as pflag's Uint16Var parses it, i.e. Go's
 * ParseUint with base 0 (0x/0o/0b prefixes, leading 0 = octal); 0 is allowed.
 */
export function parseServerPortFlag(value: string): number {
  const fail = (why: string) =>
    new ValidatorOptionsError(`invalid argument "${value}" for "--validation-server-port" flag: strconv.ParseUint: parsing "${value}": ${why}`);
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(value);
  if (!m) throw fail('invalid syntax');
  const n = m[1] ? parseInt(m[1], 16) : m[2] ? parseInt(m[2], 8) : m[3] ? parseInt(m[3], 2) : Number(m[4]);
  if (n > 0xffff) throw fail('value out of range');
  return n;
}

export async function resolveValidatorOptions(flags: ValidatorFlags, source: DataplaneConfigSource = {}): Promise<ValidatorOptions> {
  const fromFlags: ValidatorOptions = {
    ipFamilyMode: flags.ipFamilyMode === undefined ? 'dualstack' : parseIpFamilyModeFlag(flags.ipFamilyMode),
    serverPort:
      flags.validationServerPort === undefined ? DEFAULT_VALIDATION_SERVER_PORT : parseServerPortFlag(flags.validationServerPort),
  };
  const values = flags.transparentProxyConfig ?? [];
  if (values.length === 0) return fromFlags;
  try {
    const cfg = await loadDataplaneConfig(values, source);
    return { ipFamilyMode: cfg.ipFamilyMode, serverPort: cfg.inboundPort };
  } catch (e) {
    throw new ValidatorOptionsError(`failed to load transparent proxy configuration from provided input: ${(e as Error).message}`);
  }
}
