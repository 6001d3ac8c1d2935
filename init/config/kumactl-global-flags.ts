// kumactl's persistent root flags. Every `kumactl` subcommand accepts them
// (Kuma's injector passes `--config-file=/tmp/.kumactl` to the validator);
// kuma-init accepts them without effect and hides them from the usage.
import { parseDurationMillis, parseGoBool } from './go-values.ts';
import type { FlagDef } from './pflag.ts';

const ignored = () => undefined;

export function kumactlGlobalFlags<S>(options: { withConfigFile: boolean }): FlagDef<S>[] {
  const hidden = (name: string, typeName: string, set: (state: S, value: string) => void): FlagDef<S> => ({
    name,
    typeName,
    boolean: typeName === '',
    usage: '',
    hidden: true,
    set,
  });
  return [
    ...(options.withConfigFile ? [hidden('config-file', 'string', ignored)] : []),
    hidden('context', 'string', ignored),
    hidden('log-level', 'string', ignored),
    hidden('no-config', '', (_state, value) => void parseGoBool(value)),
    hidden('api-timeout', 'duration', (_state, value) => void parseDurationMillis(value)),
  ];
}
