// Our own goldens: one file per named configuration, rendered from hand-built
// profiles (test-fixtures.ts). Each was reviewed against the spec; a change in
// output must show up as a diff here (update with `vitest -u` and review again).
import { describe, expect, it } from 'vitest';
import { formatDryRun } from './dry-run.ts';
import { renderRules } from './render.ts';
import { namedCases } from '../../test-support/init/test-fixtures.ts';

describe('rendered rules per named configuration', () => {
  it.each(namedCases.map((c) => [c.name, c] as const))('%s', async (name, { config, profile }) => {
    const rendered = renderRules(config, profile);
    const stderr = rendered.warnings.length > 0 ? `\n${rendered.warnings.join('\n')}\n` : '';
    await expect(formatDryRun(rendered) + stderr).toMatchFileSnapshot(`./testdata/${name}.golden`);
  });
});
