// The mangle table: with dropInvalidPackets, packets conntrack marks INVALID
// (typically out-of-window segments of a redirected connection, which would
// otherwise miss the nat mapping and reach the app, which answers with a RST)
// are dropped (Kuma: builder_table_mangle.go).

import type { FamilyPlan } from './family-plan.ts';
import { ctstate, drop } from './params.ts';
import { appendRule } from './rule.ts';
import type { Table } from './table.ts';

export function buildMangleTable(plan: FamilyPlan): Table {
  return {
    name: 'mangle',
    customChains: [],
    rules: plan.dropInvalidPackets
      ? [
          appendRule(
            'PREROUTING',
            'drop packets in the INVALID state to prevent potential issues with malformed or out-of-order packets',
            ctstate('INVALID'),
            drop(),
          ),
        ]
      : [],
  };
}
