// The KUMA_TRANSPARENT_PROXY_* environment variables, as kelseyhightower/
// envconfig v1.4.0 applies them in Kuma 2.13.10: fields in Go struct order,
// tagged fields fall back to their unprefixed name, lists split on commas
// (items not trimmed), numbers accept Go base prefixes. Kuma reads them only
// right after each config source is loaded (see load-install-config.ts).
import type { TransparentProxyConfig, IptablesExecutablesConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { applyExecutablesSpec } from './executables.ts';
import { configFields, getAt, setAt, type FieldSpec } from './fields.ts';
import { parseDurationMillis, parseGoBool, parseGoUint } from './go-values.ts';
import { parseIpFamilyMode } from './ip-family-mode.ts';
import { parseIptablesMode } from './iptables-mode.ts';
import { parsePort, parsePorts } from './ports.ts';

export const envPrefix = 'KUMA_TRANSPARENT_PROXY_';

export type Environment = Readonly<Record<string, string | undefined>>;

function decode(config: TransparentProxyConfig, field: FieldSpec, value: string): unknown {
  switch (field.kind) {
    case 'bool':
      return parseGoBool(value);
    case 'uint':
      return parseGoUint(value, 64);
    case 'uint16':
      return parseGoUint(value, 16);
    case 'string':
      return value;
    case 'strings':
      return value.trim() === '' ? [] : value.split(',');
    case 'port':
      return parsePort(value);
    case 'ports':
      return parsePorts(value);
    case 'ipFamilyMode':
      return parseIpFamilyMode(value);
    case 'duration':
      return parseDurationMillis(value);
    case 'executables':
      return applyExecutablesSpec(getAt(config, field.path) as IptablesExecutablesConfig, value);
    case 'iptablesMode':
      return parseIptablesMode(value);
  }
}

/** Applies the environment to `config` (mutates it); throws `processing environment variables failed: …`. */
export function applyEnvironment(config: TransparentProxyConfig, env: Environment): void {
  for (const field of configFields) {
    if (field.env === undefined) continue;
    const key = envPrefix + field.env;
    const value = env[key] ?? (field.envFallback === undefined ? undefined : env[field.envFallback]);
    if (value === undefined) continue;
    try {
      setAt(config, field.path, decode(config, field, value));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(
        `processing environment variables failed: envconfig.Process: assigning ${key} to ${field.goName}: converting '${value}' to type ${field.goType}. details: ${error.message}`,
      );
    }
  }
}
