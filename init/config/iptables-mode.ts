// `--iptables-mode` (kuma-init extension): which iptables backend to use.
import type { IptablesModeOption } from './config.ts';
import { ConfigError } from './errors.ts';

const modes: readonly IptablesModeOption[] = ['auto', 'legacy', 'nft'];

export function parseIptablesMode(value: string): IptablesModeOption {
  if ((modes as readonly string[]).includes(value)) return value as IptablesModeOption;
  throw new ConfigError("must be one of 'auto', 'legacy' or 'nft'");
}
