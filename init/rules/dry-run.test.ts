import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.ts';
import { formatDryRun } from './dry-run.ts';
import { renderRules } from './render.ts';
import { fullProfile } from '../../test-support/init/test-fixtures.ts';

describe('formatDryRun (kumactl --dry-run stdout)', () => {
  it('prints the IPv4 header, a blank line, the trimmed input and one final newline', () => {
    const rendered = renderRules(defaultConfig(), fullProfile({ ipv6Usable: false }));
    const out = formatDryRun(rendered);
    expect(out).toBe(`### IPv4 ###\n\n${rendered.ipv4.restoreInput.trimEnd()}\n`);
    expect(out).not.toContain('IPv6');
  });

  it('separates the IPv6 section by a blank line', () => {
    const rendered = renderRules(defaultConfig(), fullProfile());
    const [v4, v6] = formatDryRun(rendered).split('\n\n### IPv6 ###\n\n');
    expect(v4).toBe(`### IPv4 ###\n\n${rendered.ipv4.restoreInput.trimEnd()}`);
    expect(v6).toBe(`${rendered.ipv6!.restoreInput.trimEnd()}\n`);
  });

  it('keeps verbose inputs’ inner blank lines and trims only the ends', () => {
    const config = defaultConfig();
    config.verbose = true;
    const rendered = renderRules(config, fullProfile({ ipv6Usable: false }));
    expect(formatDryRun(rendered)).toBe(`### IPv4 ###\n\n${rendered.ipv4.restoreInput.trimEnd()}\n`);
    expect(rendered.ipv4.restoreInput).toContain('\n\n# Rules:\n');
  });
});
