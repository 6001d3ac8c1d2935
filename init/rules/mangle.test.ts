import { describe, expect, it } from 'vitest';
import { buildMangleTable } from './mangle.ts';
import { renderTable } from './table.ts';
import { familyPlan, fullProfile, withFamily } from '../../test-support/init/test-fixtures.ts';

describe('mangle table (drop invalid packets)', () => {
  it('drops INVALID packets in PREROUTING when asked and the mangle table exists', () => {
    const plan = familyPlan((c) => (c.dropInvalidPackets = true));
    expect(renderTable(buildMangleTable(plan), { verbose: false, comments: true })?.split('\n')).toEqual([
      '* mangle',
      '-A PREROUTING -m comment --comment "kuma/mesh/transparent/proxy/drop packets in the INVALID state to prevent potential issues with malformed or out-of-order packets" -m conntrack --ctstate INVALID -j DROP',
      'COMMIT',
    ]);
  });

  it('is absent when not asked, or when the family has no mangle table', () => {
    expect(renderTable(buildMangleTable(familyPlan()), { verbose: false, comments: true })).toBeUndefined();
    const noMangle = withFamily(fullProfile(), 'ipv6', (fp) => ({ ...fp, tables: { ...fp.tables, mangle: false } }));
    const plan = familyPlan((c) => (c.dropInvalidPackets = true), 'ipv6', noMangle);
    expect(renderTable(buildMangleTable(plan), { verbose: false, comments: true })).toBeUndefined();
  });
});
