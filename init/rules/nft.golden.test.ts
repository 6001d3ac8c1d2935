// nftables goldens: the script `nft -f` loads for each named configuration
// (test-fixtures.ts), next to the iptables goldens of the same names. Reviewed
// against docs/nftables.md; update with `vitest -u` and review the diff.
import { describe, expect, it } from 'vitest';
import { renderNftRules } from './nft.ts';
import { namedCases } from '../../test-support/init/test-fixtures.ts';

describe('nftables script per named configuration', () => {
  it.each(namedCases.map((c) => [c.name, c] as const))('%s', async (name, { config, profile }) => {
    await expect(renderNftRules(config, profile).script).toMatchFileSnapshot(`./testdata/nft/${name}.nft`);
  });
});
