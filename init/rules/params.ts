// Typed builders for the parameters of one rule, in two spellings. The
// iptables one is the exact token form Kuma 2.13.10 feeds to iptables-restore:
// short flags (`-p`, `--dport`) or, in verbose mode, the long ones
// (`--protocol`, `--destination-port`); values never change between the two.
// The nftables one is the equivalent expression of the `inet kuma` table
// (docs/nftables.md), so both backends render the same rules from one list.

import { goQuote } from '../../go-compat/index.ts';
import type { IpFamily } from '../profile/index.ts';
import { nftAddress, nftInterface, nftLogLevel, nftNumbers } from './nft-values.ts';

/** What an nft expression needs to know beyond its own values. */
export interface NftContext {
  family: IpFamily;
  /** Our table's name for an iptables chain of this family (a jump target). */
  chain: (iptablesChain: string) => string;
}

/** One rule parameter: its iptables tokens, given the verbose flag, and its nft expression ('' when nft needs none). */
export interface Param {
  (verbose: boolean): readonly string[];
  readonly nft: (ctx: NftContext) => string;
}

const param = (iptables: (verbose: boolean) => readonly string[], nft: Param['nft']): Param => Object.assign(iptables, { nft });

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

/** A port match inside a protocol parameter (`-p tcp --dport 53`); its nft form names the protocol (`tcp dport 53`). */
export interface PortMatch {
  (verbose: boolean): readonly string[];
  readonly nft: (protocol: L4Protocol) => string;
}

const portMatch = (iptables: (verbose: boolean) => readonly string[], nft: PortMatch['nft']): PortMatch => Object.assign(iptables, { nft });

export const dport = (ports: number | string, negate = false): PortMatch =>
  portMatch(
    (v) => negated(negate, [flagFor('dport', v), String(ports)]),
    (proto) => `${proto} dport ${negate ? '!= ' : ''}${nftNumbers(ports)}`,
  );

export const sport = (port: number): PortMatch =>
  portMatch(
    (v) => [flagFor('sport', v), String(port)],
    (proto) => `${proto} sport ${port}`,
  );

export type L4Protocol = 'tcp' | 'udp';

/** `-p tcp|udp` followed by its port matches, as one parameter; nft: `meta l4proto tcp` or the port matches. */
export const protocol = (name: L4Protocol, ...ports: PortMatch[]): Param =>
  param(
    (v) => [flagFor('protocol', v), name, ...ports.flatMap((p) => p(v))],
    () => (ports.length === 0 ? `meta l4proto ${name}` : ports.map((p) => p.nft(name)).join(' ')),
  );

const addressMatch = (direction: 'saddr' | 'daddr', address: string, negate: boolean) => (ctx: NftContext) =>
  `${ctx.family === 'ipv4' ? 'ip' : 'ip6'} ${direction} ${negate ? '!= ' : ''}${nftAddress(address)}`;

export const source = (address: string): Param =>
  param((v) => [flagFor('source', v), address], addressMatch('saddr', address, false));

export const destination = (address: string, negate = false): Param =>
  param((v) => negated(negate, [flagFor('destination', v), address]), addressMatch('daddr', address, negate));

export const inInterface = (name: string): Param =>
  param((v) => [flagFor('inInterface', v), name], () => `iifname ${nftInterface(name)}`);

export const outInterface = (name: string): Param =>
  param((v) => [flagFor('outInterface', v), name], () => `oifname ${nftInterface(name)}`);

/** Modules whose meaning nft carries elsewhere (the protocol's port match, a set, the rule comment). */
const implicitInNft = new Set(['udp', 'tcp', 'multiport', 'comment']);

/** `-m <module> [module options...]`; builders below give the modules with an nft meaning their own form. */
export const match = (module: string, ...options: string[]): Param =>
  param(
    (v) => [flagFor('match', v), module, ...options],
    () => {
      if (!implicitInNft.has(module)) throw new Error(`no nftables form for -m ${module}`);
      return '';
    },
  );

/** nft: `meta skuid 5678`, `meta skuid != 5678`, ranges `1000-2000`. */
export const ownerUid = (uid: string, negate = false): Param =>
  param(match('owner', ...negated(negate, ['--uid-owner', uid])), () => `meta skuid ${negate ? '!= ' : ''}${nftNumbers(uid)}`);

export const ctstate = (state: string): Param =>
  param(match('conntrack', '--ctstate', state), () => `ct state ${state.toLowerCase()}`);

export const multiport = (): Param => match('multiport');

/** `-j <chain>`: a chain of ours (nft: `jump <our name for it>`). */
export const jump = (target: string): Param =>
  param((v) => [flagFor('jump', v), target], (ctx) => `jump ${ctx.chain(target)}`);

/**
 * `-j <chain>` to another program's chain in the same iptables table (Docker's
 * DOCKER_OUTPUT). nft cannot jump across tables: our chain stops here and that
 * program's own chain at the same hook, which runs after ours, sees the packet.
 */
export const jumpToForeignChain = (target: string): Param => param(jump(target), () => 'return');

const target = (name: string, options: string[], nft: string): Param =>
  param((v) => [flagFor('jump', v), name, ...options], () => nft);

export const jumpReturn = (): Param => target('RETURN', [], 'return');

export const drop = (): Param => target('DROP', [], 'drop');

export const redirectTo = (port: number): Param => target('REDIRECT', ['--to-ports', String(port)], `redirect to :${port}`);

export const ctZone = (zone: 1 | 2): Param => target('CT', ['--zone', String(zone)], `ct zone set ${zone}`);

export const logTo = (prefix: string, level: number): Param =>
  param(
    (v) => [flagFor('jump', v), 'LOG', '--log-prefix', `${prefix}:`, '--log-level', String(level)],
    () => `log prefix "${prefix}:"${nftLogLevel(level)}`,
  );

export const COMMENT_PREFIX = 'kuma/mesh/transparent/proxy';

/** iptables keeps at most 255 bytes of a comment including its NUL; Kuma cuts at 254. */
export const COMMENT_MAX_BYTES = 254;

/** `-m comment --comment "<prefix>/<text>"`, cut to 254 bytes and quoted as Go's `%q` (nft: the rule's own comment). */
export const comment = (text: string): Param => {
  const bytes = Buffer.from(`${COMMENT_PREFIX}/${text}`, 'utf8').subarray(0, COMMENT_MAX_BYTES);
  return match('comment', '--comment', goQuote(bytes));
};
