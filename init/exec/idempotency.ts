// Deciding that an install would change nothing: the installed tables are
// compared with what applying the rendered rules to them would produce.
// Simulation: drop Kuma's rules and chains from the current state, then play
// the rendered -N/-I/-A lines on top; if every chain of every touched table
// ends up with the same rules in the same order (compared by rule-key.ts), the
// rules are already in place and no iptables-restore is spawned. Comments are
// not needed for this check, so uncommented rules (--disable-comments) that
// match are recognised too, where a cleanup would have to refuse them.
import { isKumaLine, tablesWithKumaLines, type KumaMarkers } from './kuma-rules.ts';
import { chainOf, type TableText } from './restore-text.ts';
import { parseRuleLine, tokenize, ruleKey } from './rule-key.ts';

type Chains = Map<string, string[]>;

function savedChains(t: TableText, keep: (line: string) => boolean): Chains {
  const chains: Chains = new Map();
  for (const l of t.chainLines) if (keep(l)) chains.set(chainOf(l).name, []);
  for (const l of t.lines) {
    if (!l.startsWith('-A ') || !keep(l)) continue;
    const tokens = tokenize(l);
    chains.get(tokens[1]!)?.push(ruleKey(tokens.slice(2)));
  }
  return chains;
}

/** The chains after playing the rendered lines of one table; undefined when a line cannot be modelled. */
function applyRendered(base: Chains, rendered: TableText): Chains | undefined {
  const chains: Chains = new Map([...base].map(([k, v]) => [k, [...v]]));
  for (const line of rendered.lines) {
    const op = parseRuleLine(line);
    if (!op) return undefined;
    if (op.op === 'new-chain') {
      if (chains.has(op.chain)) return undefined;
      chains.set(op.chain, []);
      continue;
    }
    const rules = chains.get(op.chain) ?? [];
    chains.set(op.chain, rules);
    if (op.op === 'append') rules.push(op.key);
    else rules.splice(Math.max(0, op.position - 1), 0, op.key);
  }
  return chains;
}

function sameChains(a: Chains, b: Chains): boolean {
  if (a.size !== b.size) return false;
  for (const [name, rules] of a) {
    const other = b.get(name);
    if (!other || other.length !== rules.length || other.some((k, i) => k !== rules[i])) return false;
  }
  return true;
}

/** True when `current` already equals `current` with the rendered rules applied (after Kuma's cleanup). */
export function alreadyInstalled(current: readonly TableText[], rendered: readonly TableText[], m: KumaMarkers): boolean {
  const withKuma = tablesWithKumaLines(current, m).map((t) => t.name);
  const renderedNames = rendered.map((t) => t.name);
  if (withKuma.length !== renderedNames.length || withKuma.some((n) => !renderedNames.includes(n))) return false;
  for (const r of rendered) {
    const cur = current.find((t) => t.name === r.name);
    if (!cur) return false;
    const expected = applyRendered(savedChains(cur, (l) => !isKumaLine(l, m)), r);
    if (!expected || !sameChains(expected, savedChains(cur, () => true))) return false;
  }
  return true;
}
