// config + environment profile → the complete iptables-restore input per IP
// family, exactly as Kuma 2.13.10 feeds it to iptables-restore (with the
// deviations listed in docs/tproxy-rules.md). Pure: reads no system state.

import type { TransparentProxyConfig } from '../config/index.ts';
import type { EnvironmentProfile, IpFamily } from '../profile/index.ts';
import type { FamilyPlan } from './family-plan.ts';
import { buildMangleTable } from './mangle.ts';
import { buildNatTable } from './nat.ts';
import { planRules } from './plan.ts';
import { buildRawTable } from './raw.ts';
import { renderTable, TABLE_ORDER, type Table, type TableName } from './table.ts';

export interface FamilyRules {
  family: IpFamily;
  /** The whole iptables-restore input (`* raw`/`* nat`/`* mangle` … `COMMIT`), ending in a newline. */
  restoreInput: string;
  /** Tables present in `restoreInput`, in order (nat always; raw and mangle when they have rules). */
  tables: TableName[];
  /** Chains the input creates with `-N` (all in nat). */
  customChains: string[];
  /** Whether rules carry `kuma/mesh/transparent/proxy` comments (cleanup relies on them). */
  commented: boolean;
}

export interface RenderedRules {
  ipv4: FamilyRules;
  /** Present when IPv6 rules apply: dualstack mode, usable IPv6 and working ip6tables. */
  ipv6?: FamilyRules;
  /** Kuma's warning lines, as kumactl prints them to stderr (`# [iptables] [WARNING] …`). */
  warnings: string[];
}

const builders: Record<TableName, (plan: FamilyPlan) => Table> = {
  raw: buildRawTable,
  nat: buildNatTable,
  mangle: buildMangleTable,
};

function renderFamily(plan: FamilyPlan): FamilyRules {
  const options = { verbose: plan.verbose, comments: plan.commentsEnabled };
  const sections = TABLE_ORDER.map((name) => builders[name](plan))
    .map((table) => ({ table, text: renderTable(table, options) }))
    .filter((s): s is { table: Table; text: string } => s.text !== undefined);
  return {
    family: plan.family,
    restoreInput: `${sections.map((s) => s.text).join(plan.verbose ? '\n\n' : '\n')}\n`,
    tables: sections.map((s) => s.table.name),
    customChains: sections.flatMap((s) => s.table.customChains),
    commented: plan.commentsEnabled,
  };
}

/** Throws RenderError (a ConfigError) with Kuma's message when the configuration cannot be applied. */
export function renderRules(config: TransparentProxyConfig, profile: EnvironmentProfile): RenderedRules {
  const plan = planRules(config, profile);
  const rendered: RenderedRules = { ipv4: renderFamily(plan.ipv4), warnings: plan.warnings };
  if (plan.ipv6) rendered.ipv6 = renderFamily(plan.ipv6);
  return rendered;
}
