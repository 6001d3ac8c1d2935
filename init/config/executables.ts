// `--iptables-executables name:path[,name:path]` (and the env var of the same
// syntax): values merge per name into what config files set; paths are
// cleaned like Go's filepath.Clean; all errors are reported, one per line.
import { posix } from 'node:path';
import { executableNames, type ExecutableName, type IptablesExecutablesConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { commaItems } from './uid-exclusions.ts';

/** Go `filepath.Clean` on Linux. */
export function goCleanPath(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

const validNames = [...executableNames]
  .sort()
  .map((name) => `'${name}'`)
  .join(', ')
  .replace(/, ('[^']+')$/, ', and $1');

/** Returns `current` with the named paths replaced; throws ConfigError listing every bad block. */
export function applyExecutablesSpec(current: IptablesExecutablesConfig, spec: string): IptablesExecutablesConfig {
  const result = { ...current };
  const errors: string[] = [];
  for (const block of commaItems(spec.trim())) {
    const colon = block.indexOf(':');
    if (colon < 0) {
      errors.push(
        `invalid format in '${block}': expected '<name>:<path>' (e.g., 'iptables:/usr/sbin/iptables' or 'ip6tables-save:/usr/sbin/ip6tables-save')`,
      );
      continue;
    }
    const name = block.slice(0, colon);
    if (!(executableNames as readonly string[]).includes(name)) {
      errors.push(`unsupported executable name '${name}': valid names are ${validNames}`);
      continue;
    }
    result[name as ExecutableName] = goCleanPath(block.slice(colon + 1));
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return result;
}
