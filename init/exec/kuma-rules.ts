// How Kuma 2.13 recognises its own rules (tproxy spec §5.2): any line that
// contains the chain prefix `KUMA_MESH` or the comment prefix
// `kuma/mesh/transparent/proxy`. Rules without comments cannot be told apart
// safely, so their presence is an error, exactly as in Kuma.
import { COMMENT_PREFIX as commentPrefix } from '../rules/index.ts';
import { ApplyError } from '../system/index.ts';
import { chainOf, type TableText } from './restore-text.ts';

export interface KumaMarkers {
  /** `KUMA_MESH` (config.redirect.namePrefix). */
  namePrefix: string;
  commentPrefix: string;
}

export function markersFor(namePrefix: string): KumaMarkers {
  return { namePrefix, commentPrefix };
}

export function isKumaLine(line: string, m: KumaMarkers): boolean {
  return line.includes(m.namePrefix) || line.includes(m.commentPrefix);
}

/** Tables holding a line Kuma would recognise as its own. */
export function tablesWithKumaLines(tables: readonly TableText[], m: KumaMarkers): TableText[] {
  return tables.filter((t) => [...t.chainLines, ...t.lines].some((l) => isKumaLine(l, m)));
}

/** Tables holding Kuma rules or chains; throws Kuma's error when chains exist but comments do not. */
export function tablesWithKumaContent(tables: readonly TableText[], m: KumaMarkers, family: string): TableText[] {
  const all = tables.flatMap((t) => [...t.chainLines, ...t.lines]);
  const names = all.some((l) => l.includes(m.namePrefix));
  const comments = all.some((l) => l.includes(m.commentPrefix));
  if (names && !comments) {
    throw new ApplyError(
      'CLEANUP_WITHOUT_COMMENTS',
      `${family}: transparent proxy rules detected, but expected comments are missing. Cleanup cannot proceed safely without comments to identify rules. Please remove the transparent proxy iptables rules manually (they were probably installed with --disable-comments)`,
    );
  }
  return tablesWithKumaLines(tables, m);
}

/** Kuma chains (declared with the prefix) of a saved table. */
function kumaChains(t: TableText, m: KumaMarkers): string[] {
  return t.chainLines.map((l) => chainOf(l).name).filter((n) => n.includes(m.namePrefix));
}

/**
 * Restore commands (for `--noflush`) that remove Kuma's rules from a saved
 * table: delete each Kuma rule of other chains, then flush and delete every
 * Kuma chain. Same result as Kuma's filtered flush-restore, without touching
 * anything else in the table.
 */
export function removalCommands(t: TableText, m: KumaMarkers): string[] {
  const chains = kumaChains(t, m);
  const inOtherChains = t.lines.filter((l) => l.startsWith('-A ') && isKumaLine(l, m) && !chains.includes(l.split(/\s+/)[1]!));
  return [
    ...inOtherChains.map((l) => `-D ${l.slice(3)}`),
    ...chains.map((c) => `-F ${c}`),
    ...chains.map((c) => `-X ${c}`),
  ];
}

/** The saved table without any Kuma line (Kuma's cleanup result), for a flush-mode restore. */
export function withoutKuma(t: TableText, m: KumaMarkers): TableText {
  return { name: t.name, chainLines: t.chainLines.filter((l) => !isKumaLine(l, m)), lines: t.lines.filter((l) => !isKumaLine(l, m)) };
}
