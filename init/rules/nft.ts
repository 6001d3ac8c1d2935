// The second output of the renderer: the same plan and the same rules as the
// iptables input (nat.ts, raw.ts, mangle.ts), spelt as one nftables table of
// our own, `inet kuma`, for both IP families. Each iptables built-in chain
// with rules becomes a base chain at the same hook and priority (nat just
// before iptables' own nat, see docs/nftables.md) that dispatches by family to
// that family's chain; rules keep the order the kernel gives the iptables
// ones (inserts in generation order, then appends). Pure, like render.ts.
//
// The text is written as `nft -y list table inet kuma` prints it back, so an
// installed table can be compared with a rendered one to skip a no-op install.

import type { TransparentProxyConfig } from '../config/index.ts';
import type { EnvironmentProfile, IpFamily } from '../profile/index.ts';
import type { FamilyPlan } from './family-plan.ts';
import { nftChainName, nftComment } from './nft-values.ts';
import type { NftContext } from './params.ts';
import { familyTables } from './family-tables.ts';
import { planRules, type RulesPlan } from './plan.ts';
import type { Rule } from './rule.ts';
import { BUILTIN_CHAINS, type Table, type TableName } from './table.ts';

/** Our table: `inet` (IPv4 and IPv6 in one), named `kuma`. */
export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'kuma';

/**
 * Creating then deleting the table makes the delete valid whether or not it
 * exists; in one `nft -f` file the whole script is one transaction.
 */
export const NFT_DELETE_SCRIPT = `table ${NFT_FAMILY} ${NFT_TABLE} {}\ndelete table ${NFT_FAMILY} ${NFT_TABLE}\n`;

export interface NftRules {
  /** The table as `nft -y list table inet kuma` prints it once installed. */
  table: string;
  /** What `nft -f` loads: delete our table if present, then define it; one transaction. */
  script: string;
  /** Families the table handles (IPv6 under the same conditions as the iptables rules). */
  families: IpFamily[];
  /** Kuma's warning lines, as for the iptables rules. */
  warnings: string[];
}

const HOOKS: Record<string, string> = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting',
};

/**
 * iptables' priorities (raw -300, mangle -150); nat one before iptables' dstnat
 * (-100) so that ours decides first, as Kuma's inserted rules do, and Docker's
 * nat rules still see what we return (DOCKER_OUTPUT).
 */
function hookLine(table: TableName, chain: string): string {
  const hook = HOOKS[chain]!;
  const priority = table === 'raw' ? -300 : table === 'mangle' ? -150 : hook === 'prerouting' || hook === 'output' ? -101 : 99;
  return `type ${table === 'nat' ? 'nat' : 'filter'} hook ${hook} priority ${priority}; policy accept;`;
}

const builtinChainName = (family: IpFamily, table: TableName, chain: string) => `${family}_${table}_${chain}`;

/** A chain's rules in the order the kernel holds the iptables ones: inserts (1, 2, 3…), then appends. */
const kernelOrder = (rules: readonly Rule[]): Rule[] => [...rules.filter((r) => r.insert), ...rules.filter((r) => !r.insert)];

function ruleLine(rule: Rule, ctx: NftContext, comments: boolean): string {
  const parts = rule.params.map((p) => p.nft(ctx)).filter((text) => text !== '');
  if (comments && rule.comment !== '') parts.push(nftComment(rule.comment));
  return parts.join(' ');
}

interface Chain {
  name: string;
  lines: string[];
}

const chainText = ({ name, lines }: Chain): string => [`\tchain ${name} {`, ...lines.map((l) => `\t\t${l}`), '\t}'].join('\n');

/** One family's chains: its part of each built-in chain with rules, then its custom chains. */
function familyChains(plan: FamilyPlan, tables: readonly Table[]): Chain[] {
  const { family } = plan;
  const custom = new Set(tables.flatMap((t) => t.customChains));
  const ctx: NftContext = {
    family,
    chain: (target) => {
      if (!custom.has(target)) throw new Error(`jump to '${target}', which is not a chain of ours`);
      return nftChainName(`${family}_${target}`);
    },
  };
  const chains: Chain[] = [];
  for (const table of tables) {
    for (const chain of BUILTIN_CHAINS[table.name]) {
      const rules = kernelOrder(table.rules.filter((r) => r.chain === chain));
      if (rules.length > 0) {
        chains.push({ name: builtinChainName(family, table.name, chain), lines: rules.map((r) => ruleLine(r, ctx, plan.commentsEnabled)) });
      }
    }
  }
  for (const table of tables) {
    for (const chain of table.customChains) {
      const rules = kernelOrder(table.rules.filter((r) => r.chain === chain));
      chains.push({ name: ctx.chain(chain), lines: rules.map((r) => ruleLine(r, ctx, plan.commentsEnabled)) });
    }
  }
  return chains;
}

/** The base chains: one per iptables built-in chain that has rules in some family, jumping to each family's part. */
function baseChains(families: ReadonlyArray<{ family: IpFamily; tables: readonly Table[] }>): Chain[] {
  const chains: Chain[] = [];
  for (const [index, { name: table }] of families[0]!.tables.entries()) {
    for (const chain of BUILTIN_CHAINS[table]) {
      const dispatch = families
        .filter((f) => f.tables[index]!.rules.some((r) => r.chain === chain))
        .map((f) => `meta nfproto ${f.family} jump ${builtinChainName(f.family, table, chain)}`);
      if (dispatch.length > 0) chains.push({ name: `${table}_${chain}`, lines: [hookLine(table, chain), ...dispatch] });
    }
  }
  return chains;
}

/** The table for a plan (renderRules' second output); throws RenderError for values nft cannot hold (NFT_VALUE_INVALID). */
export function renderNftTable(plan: RulesPlan): NftRules {
  const plans = plan.ipv6 ? [plan.ipv4, plan.ipv6] : [plan.ipv4];
  const families = plans.map((p) => ({ family: p.family, plan: p, tables: familyTables(p) }));
  const chains = [...baseChains(families), ...families.flatMap((f) => familyChains(f.plan, f.tables))];
  const table = `table ${NFT_FAMILY} ${NFT_TABLE} {\n${chains.map(chainText).join('\n\n')}\n}\n`;
  return { table, script: NFT_DELETE_SCRIPT + table, families: plans.map((p) => p.family), warnings: plan.warnings };
}

/** renderNftTable of the configuration's plan; throws RenderError as renderRules does. */
export const renderNftRules = (config: TransparentProxyConfig, profile: EnvironmentProfile): NftRules => renderNftTable(planRules(config, profile));
