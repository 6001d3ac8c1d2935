// One family's tables built from its plan, in Kuma's order (raw, nat, mangle),
// each with the rules the plan asks for (maybe none): the rule lists that both
// outputs spell, iptables-restore input (render.ts) and nftables (nft.ts).
import type { FamilyPlan } from './family-plan.ts';
import { buildMangleTable } from './mangle.ts';
import { buildNatTable } from './nat.ts';
import { buildRawTable } from './raw.ts';
import { TABLE_ORDER, type Table, type TableName } from './table.ts';

const builders: Record<TableName, (plan: FamilyPlan) => Table> = {
  raw: buildRawTable,
  nat: buildNatTable,
  mangle: buildMangleTable,
};

export const familyTables = (plan: FamilyPlan): Table[] => TABLE_ORDER.map((name) => builders[name](plan));
