// A rule as Kuma generates it: the chain, whether it is inserted or appended,
// its parameters in render order, and its comment text.

import { comment, flagFor, type Param } from './params.ts';

export interface Rule {
  readonly chain: string;
  /** Inserted rules get positions 1, 2, 3… per chain, in generation order; appends get none. */
  readonly insert: boolean;
  readonly params: readonly Param[];
  /** Comment text without the `kuma/mesh/transparent/proxy/` prefix. */
  readonly comment: string;
}

export const appendRule = (chain: string, commentText: string, ...params: Param[]): Rule => ({
  chain,
  insert: false,
  params,
  comment: commentText,
});

export const insertRule = (chain: string, commentText: string, ...params: Param[]): Rule => ({
  chain,
  insert: true,
  params,
  comment: commentText,
});

export interface LineOptions {
  verbose: boolean;
  comments: boolean;
}

/** `-A CHAIN …` or `-I CHAIN <position> …`, the comment first among the parameters. */
export function renderRule(rule: Rule, position: number | undefined, options: LineOptions): string {
  const head =
    position === undefined
      ? [flagFor('append', options.verbose), rule.chain]
      : [flagFor('insert', options.verbose), rule.chain, String(position)];
  const params = options.comments && rule.comment !== '' ? [comment(rule.comment), ...rule.params] : rule.params;
  return [...head, ...params.flatMap((p) => p(options.verbose))].join(' ');
}
