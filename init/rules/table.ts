// One iptables-restore table section (`* nat` … `COMMIT`) in Kuma's layout:
// custom chains declared with -N, then the rules of the built-in chains in
// their fixed order, then those of the custom chains in declaration order.

import { flagFor } from './params.ts';
import { renderRule, type LineOptions, type Rule } from './rule.ts';

export type TableName = 'raw' | 'nat' | 'mangle';

/** Kuma writes tables in this order. */
export const TABLE_ORDER: readonly TableName[] = ['raw', 'nat', 'mangle'];

export const BUILTIN_CHAINS: Record<TableName, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
};

export interface Table {
  readonly name: TableName;
  /** Chains this table creates (`-N`), in declaration order. */
  readonly customChains: readonly string[];
  /** Rules in generation order; their chain decides where they print. */
  readonly rules: readonly Rule[];
}

/** The section text, or undefined when the table has no rule (Kuma then omits it). */
export function renderTable(table: Table, options: LineOptions): string | undefined {
  if (table.rules.length === 0) return undefined;
  const positions = new Map<string, number>();
  const lines = [...BUILTIN_CHAINS[table.name], ...table.customChains].flatMap((chain) =>
    table.rules
      .filter((rule) => rule.chain === chain)
      .map((rule) => {
        let position: number | undefined;
        if (rule.insert) {
          position = (positions.get(chain) ?? 0) + 1;
          positions.set(chain, position);
        }
        return renderRule(rule, position, options);
      }),
  );
  const declarations = table.customChains.map((chain) => `${flagFor('newChain', options.verbose)} ${chain}`);
  if (options.verbose) {
    const parts = [`* ${table.name}`];
    if (declarations.length > 0) parts.push(['# Custom Chains:', ...declarations].join('\n'));
    parts.push(['# Rules:', ...lines].join('\n'), 'COMMIT');
    return parts.join('\n\n');
  }
  return [`* ${table.name}`, ...declarations, ...lines, 'COMMIT'].join('\n');
}
