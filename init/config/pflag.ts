// A small command-line flag parser with spf13/pflag v1.0.10's grammar and
// error texts, because kumactl's (and so Kuma's injector's) command lines must
// parse identically: `--flag=value` and `--flag value`, bool flags take no
// separate value (`--redirect-dns false` leaves `false` as an argument),
// `-h` shorthands, `--` ends the flags, arguments may be interspersed.
import { ConfigError } from './errors.ts';
import { goQuote } from '../../go-compat/index.ts';

export interface FlagDef<S> {
  name: string;
  shorthand?: string;
  /** Type shown in the usage (`uint16`, `stringArray`, …); empty for bool flags. */
  typeName: string;
  /** pflag's NoOptDefVal "true": the flag alone means true and never consumes the next argument. */
  boolean: boolean;
  usage: string;
  /** Shown as `(default …)` in the usage. */
  defaultText?: string;
  /** pflag MarkDeprecated: hidden from the usage, still accepted. */
  deprecated?: string;
  /** Accepted, not shown (kumactl's inherited global flags). */
  hidden?: boolean;
  /** Applies a value; throws ConfigError with the cause (pflag wraps it as `invalid argument …`). */
  set(state: S, value: string): void;
}

/** A malformed command line (unknown flag, missing value): Kuma shows the usage with it. */
export class FlagSyntaxError extends ConfigError {}

/**
 * Walks `args` like pflag's parseArgs, calling `onFlag` for each flag in order.
 * Returns the non-flag arguments. Throws FlagSyntaxError for syntax errors and
 * lets `onFlag`'s errors through.
 */
export function scanFlags<S>(
  args: readonly string[],
  defs: readonly FlagDef<S>[],
  onFlag: (def: FlagDef<S>, value: string) => void,
): string[] {
  const positionals: string[] = [];
  const rest = [...args];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg.length < 2 || !arg.startsWith('-')) {
      positionals.push(arg);
    } else if (arg === '--') {
      positionals.push(...rest.splice(0));
    } else if (arg.startsWith('--')) {
      const spec = arg.slice(2);
      if (spec.startsWith('-') || spec.startsWith('=')) throw new FlagSyntaxError(`bad flag syntax: ${arg}`);
      const eq = spec.indexOf('=');
      const name = eq < 0 ? spec : spec.slice(0, eq);
      const def = defs.find((d) => d.name === name);
      if (!def) throw new FlagSyntaxError(`unknown flag: --${name}`);
      if (eq >= 0) onFlag(def, spec.slice(eq + 1));
      else if (def.boolean) onFlag(def, 'true');
      else if (rest.length > 0) onFlag(def, rest.shift()!);
      else throw new FlagSyntaxError(`flag needs an argument: --${name}`);
    } else {
      let shorthands = arg.slice(1);
      while (shorthands.length > 0) {
        const c = shorthands[0]!;
        const def = defs.find((d) => d.shorthand === c);
        if (!def) throw new FlagSyntaxError(`unknown shorthand flag: '${c}' in -${shorthands}`);
        if (shorthands.length > 2 && shorthands[1] === '=') {
          onFlag(def, shorthands.slice(2));
          shorthands = '';
        } else if (def.boolean) {
          onFlag(def, 'true');
          shorthands = shorthands.slice(1);
        } else if (shorthands.length > 1) {
          onFlag(def, shorthands.slice(1));
          shorthands = '';
        } else if (rest.length > 0) {
          onFlag(def, rest.shift()!);
          shorthands = '';
        } else {
          throw new FlagSyntaxError(`flag needs an argument: '${c}' in -${shorthands}`);
        }
      }
    }
  }
  return positionals;
}

/** pflag FlagSet.Set: the value error wrapped as `invalid argument "v" for "--name" flag: cause`. */
export function setFlag<S>(state: S, def: FlagDef<S>, value: string): void {
  try {
    def.set(state, value);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flagName = def.shorthand ? `-${def.shorthand}, --${def.name}` : `--${def.name}`;
    throw new ConfigError(`invalid argument ${goQuote(value)} for ${goQuote(flagName)} flag: ${error.message}`);
  }
}

/** Parses every flag of `args` into `state`; returns the positional arguments and deprecation notices. */
export function parseFlags<S>(args: readonly string[], defs: readonly FlagDef<S>[], state: S): { positionals: string[]; notices: string[] } {
  const notices: string[] = [];
  const positionals = scanFlags(args, defs, (def, value) => {
    setFlag(state, def, value);
    if (def.deprecated) notices.push(`Flag --${def.name} has been deprecated, ${def.deprecated}`);
  });
  return { positionals, notices };
}

/** The flag list in pflag's FlagUsages layout. */
export function formatFlagUsages<S>(defs: readonly FlagDef<S>[]): string {
  const rows = defs
    .filter((d) => !d.hidden && !d.deprecated)
    .map((d) => {
      const names = d.shorthand ? `  -${d.shorthand}, --${d.name}` : `      --${d.name}`;
      const left = d.typeName ? `${names} ${d.typeName}` : names;
      const usage = d.defaultText === undefined ? d.usage : `${d.usage} (default ${d.defaultText})`;
      return { left, usage };
    });
  const width = Math.max(...rows.map((r) => r.left.length));
  return rows.map((r) => `${r.left.padEnd(width)}   ${r.usage.replaceAll('\n', `\n${' '.repeat(width + 3)}`)}`).join('\n');
}
