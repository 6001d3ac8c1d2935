// Typed builders for the parameters of one iptables rule, in the exact token
// form Kuma 2.13.10 feeds to iptables-restore. Each parameter renders its short
// flags (`-p`, `--dport`) or, in verbose mode, the long ones (`--protocol`,
// `--destination-port`); values never change between the two forms.

import { goQuote } from '../../go-compat/index.ts';

/** One rule parameter: its tokens, given the verbose flag. */
export type Param = (verbose: boolean) => readonly string[];

type Flag = readonly [short: string, long: string];

const flag =
  ([short, long]: Flag) =>
  (verbose: boolean): string =>
    verbose ? long : short;

export const FLAGS = {
  append: ['-A', '--append'],
  insert: ['-I', '--insert'],
  newChain: ['-N', '--new-chain'],
  protocol: ['-p', '--protocol'],
  match: ['-m', '--match'],
  jump: ['-j', '--jump'],
  source: ['-s', '--source'],
  destination: ['-d', '--destination'],
  inInterface: ['-i', '--in-interface'],
  outInterface: ['-o', '--out-interface'],
  dport: ['--dport', '--destination-port'],
  sport: ['--sport', '--source-port'],
} as const satisfies Record<string, Flag>;

export const flagFor = (name: keyof typeof FLAGS, verbose: boolean): string => flag(FLAGS[name])(verbose);

const negated = (negate: boolean, tokens: string[]): string[] => (negate ? ['!', ...tokens] : tokens);

/** A port match that lives inside a protocol parameter (`-p tcp --dport 53`). */
export type PortMatch = Param;

export const dport =
  (ports: number | string, negate = false): PortMatch =>
  (v) =>
    negated(negate, [flagFor('dport', v), String(ports)]);

export const sport =
  (port: number): PortMatch =>
  (v) => [flagFor('sport', v), String(port)];

export type L4Protocol = 'tcp' | 'udp';

/** `-p tcp|udp` followed by its port matches, as one parameter. */
export const protocol =
  (name: L4Protocol, ...ports: PortMatch[]): Param =>
  (v) => [flagFor('protocol', v), name, ...ports.flatMap((p) => p(v))];

export const source =
  (address: string): Param =>
  (v) => [flagFor('source', v), address];

export const destination =
  (address: string, negate = false): Param =>
  (v) =>
    negated(negate, [flagFor('destination', v), address]);

export const inInterface =
  (name: string): Param =>
  (v) => [flagFor('inInterface', v), name];

export const outInterface =
  (name: string): Param =>
  (v) => [flagFor('outInterface', v), name];

/** `-m <module> [module options...]`. */
export const match =
  (module: string, ...options: string[]): Param =>
  (v) => [flagFor('match', v), module, ...options];

export const ownerUid = (uid: string, negate = false): Param =>
  match('owner', ...negated(negate, ['--uid-owner', uid]));

export const ctstate = (state: string): Param => match('conntrack', '--ctstate', state);

export const multiport = (): Param => match('multiport');

/** `-j <target> [target options...]`. */
export const jump =
  (target: string, ...options: string[]): Param =>
  (v) => [flagFor('jump', v), target, ...options];

export const jumpReturn = (): Param => jump('RETURN');

export const redirectTo = (port: number): Param => jump('REDIRECT', '--to-ports', String(port));

export const ctZone = (zone: 1 | 2): Param => jump('CT', '--zone', String(zone));

export const logTo = (prefix: string, level: number): Param =>
  jump('LOG', '--log-prefix', `${prefix}:`, '--log-level', String(level));

export const COMMENT_PREFIX = 'kuma/mesh/transparent/proxy';

/** iptables keeps at most 255 bytes of a comment including its NUL; Kuma cuts at 254. */
export const COMMENT_MAX_BYTES = 254;

/** `-m comment --comment "<prefix>/<text>"`, cut to 254 bytes and quoted as Go's `%q`. */
export const comment = (text: string): Param => {
  const bytes = Buffer.from(`${COMMENT_PREFIX}/${text}`, 'utf8').subarray(0, COMMENT_MAX_BYTES);
  return match('comment', '--comment', goQuote(bytes));
};
