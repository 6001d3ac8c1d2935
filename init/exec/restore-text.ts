// iptables-save / iptables-restore text as data: tables with their chain
// declarations and rule lines. Used to find Kuma's rules, to build the single
// restore input of an install, and to compare states.

export interface TableText {
  /** `nat`, `raw`, ... (`* nat` with Kuma's space is accepted). */
  name: string;
  /** `:CHAIN POLICY [p:b]` lines (iptables-save) in order. */
  chainLines: string[];
  /** Every other line inside the table except COMMIT: `-A ...`, `-I ...`, `-N ...`, ... */
  lines: string[];
}

/** Splits save or restore text into tables; `#` comments and blank lines are dropped. */
export function parseTables(text: string): TableText[] {
  const tables: TableText[] = [];
  let current: TableText | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      current = { name: line.slice(1).trim(), chainLines: [], lines: [] };
      tables.push(current);
    } else if (line === 'COMMIT') {
      current = undefined;
    } else if (current) {
      (line.startsWith(':') ? current.chainLines : current.lines).push(line);
    }
  }
  return tables;
}

function tableText(t: TableText): string {
  return [`*${t.name}`, ...t.chainLines, ...t.lines, 'COMMIT'].join('\n');
}

export function tablesText(tables: readonly TableText[]): string {
  return tables.map(tableText).join('\n') + '\n';
}

/** Chain name and policy of a `:CHAIN POLICY [p:b]` line. */
export function chainOf(chainLine: string): { name: string; policy: string } {
  const [name = '', policy = '-'] = chainLine.slice(1).split(/\s+/);
  return { name, policy };
}

const builtinChains: Record<string, readonly string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** A table with no rules, no custom chains and every built-in chain accepting: it has no effect on traffic. */
export function isEffectivelyEmpty(t: TableText): boolean {
  const builtins = builtinChains[t.name] ?? [];
  return t.lines.length === 0 && t.chainLines.every((l) => builtins.includes(chainOf(l).name) && chainOf(l).policy === 'ACCEPT');
}

/**
 * Save text reduced to what matters for "same state": no comments, no counters,
 * and no effectively-empty tables (nft deletes them, legacy keeps them listed).
 */
export function comparableState(saveText: string): string {
  return parseTables(saveText)
    .filter((t) => !isEffectivelyEmpty(t))
    .map((t) => ({ ...t, chainLines: t.chainLines.map((l) => l.replace(/\s*\[\d+:\d+\]$/, '')) }))
    .map(tableText)
    .join('\n');
}
