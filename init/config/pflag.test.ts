// spf13/pflag v1.0.10 command-line grammar and messages.
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { FlagSyntaxError, formatFlagUsages, parseFlags, scanFlags, type FlagDef } from './pflag.ts';

type State = Record<string, string[]>;
const record = (name: string, extra: Partial<FlagDef<State>> = {}): FlagDef<State> => ({
  name,
  typeName: 'string',
  boolean: false,
  usage: `the ${name}`,
  set: (s, v) => {
    if (v === 'bad') throw new ConfigError('no good');
    (s[name] ??= []).push(v);
  },
  ...extra,
});
const defs = [record('port'), record('flag', { boolean: true, typeName: '' }), record('help', { boolean: true, typeName: '', shorthand: 'h' }), record('old', { deprecated: 'use --port' })];

function parse(args: string[]) {
  const state: State = {};
  const { positionals, notices } = parseFlags(args, defs, state);
  return { state, positionals, notices };
}

describe('pflag grammar', () => {
  it('takes --name=value and --name value; bool flags never consume the next argument', () => {
    expect(parse(['--port=1', '--port', '2', '--flag', 'false', '--flag=false', 'x'])).toEqual({
      state: { port: ['1', '2'], flag: ['true', 'false'] },
      positionals: ['false', 'x'],
      notices: [],
    });
  });

  it('keeps an empty value and values that look like flags', () => {
    expect(parse(['--port=', '--port', '--flag']).state.port).toEqual(['', '--flag']);
  });

  it('supports shorthands, `--` and interspersed arguments', () => {
    expect(parse(['a', '-h', '--', '--port=1', '-x']).positionals).toEqual(['a', '--port=1', '-x']);
    expect(parse(['-h=false']).state.help).toEqual(['false']);
    expect(parse(['-', '']).positionals).toEqual(['-', '']);
  });

  it.each([
    [['--nope'], 'unknown flag: --nope'],
    [['--nope=1'], 'unknown flag: --nope'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['-hx'], "unknown shorthand flag: 'x' in -x"],
    [['--port'], 'flag needs an argument: --port'],
    [['---port'], 'bad flag syntax: ---port'],
    [['--=x'], 'bad flag syntax: --=x'],
  ])('%j → %s', (args, message) => {
    expect(() => parse(args)).toThrow(FlagSyntaxError);
    expect(() => parse(args)).toThrow(message);
  });

  it('wraps value errors as pflag does, naming the shorthand when there is one', () => {
    expect(() => parse(['--port', 'bad'])).toThrow('invalid argument "bad" for "--port" flag: no good');
    expect(() => parse(['-h=bad'])).toThrow('invalid argument "bad" for "-h, --help" flag: no good');
  });

  it('stops at the first error in argument order', () => {
    expect(() => parse(['--port=bad', '--nope'])).toThrow('invalid argument');
    expect(() => scanFlags(['--nope', '--port=bad'], defs, () => undefined)).toThrow('unknown flag: --nope');
  });

  it('reports deprecated flags', () => {
    expect(parse(['--old', 'v']).notices).toEqual(['Flag --old has been deprecated, use --port']);
  });

  it('lists visible flags in the usage', () => {
    const usage = formatFlagUsages(defs);
    expect(usage).toContain('  -h, --help');
    expect(usage).toContain('      --port string');
    expect(usage).not.toContain('--old');
  });
});
