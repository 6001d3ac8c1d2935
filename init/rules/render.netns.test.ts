// Every named configuration's rendered input must load: `iptables-restore
// --test`, then a real `--noflush` restore, in a throwaway network namespace
// (`unshare -n`), with both backends (legacy and nft) and both families.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { run } from '../../test-support/init/netns.ts';
import { renderRules } from './render.ts';
import { configArbitrary, profileArbitrary } from '../../test-support/init/test-arbitraries.ts';
import { namedCases } from '../../test-support/init/test-fixtures.ts';
import type { IpFamily } from '../profile/profile.ts';

const modes = ['legacy', 'nft'] as const;
const binary = (family: IpFamily, mode: string, suffix = '') =>
  `${family === 'ipv4' ? 'iptables' : 'ip6tables'}-${mode}${suffix}`;

const tools = modes.flatMap((m) => (['ipv4', 'ipv6'] as const).flatMap((f) => [binary(f, m), binary(f, m, '-restore'), binary(f, m, '-save')]));

const dir = mkdtempSync(join(tmpdir(), 'kuma-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `input` in a fresh netns after `setup`; returns the exit code, stderr and the iptables-save output. */
async function loadInFreshNetns(family: IpFamily, mode: string, input: string, setup = '') {
  const file = join(dir, `${family}-${mode}-${Math.random().toString(36).slice(2)}.rules`);
  writeFileSync(file, input);
  const restore = binary(family, mode, '-restore');
  const script = `set -e; ${setup} ${restore} --noflush --test < ${file}; ${restore} --noflush < ${file}; ${binary(family, mode, '-save')}`;
  return run('unshare', ['-n', 'sh', '-c', script]);
}

const ruleLines = (text: string) => text.split('\n').filter((l) => /^(-A|-I|--append|--insert) /.test(l)).length;

const loads = namedCases.flatMap((c) => {
  const rendered = renderRules(c.config, c.profile);
  return [rendered.ipv4, rendered.ipv6]
    .filter((f) => f !== undefined)
    .flatMap((f) => modes.map((mode) => ({ name: c.name, mode, rules: f, dockerOutput: c.profile[f.family].dockerOutput })));
});

describe.skipIf(missingRootTools('unshare', ...tools))('rendered rules load into real iptables', () => {
  it.each(loads)('$name ($rules.family, $mode)', async ({ mode, rules, dockerOutput }) => {
    const setup = dockerOutput ? `${binary(rules.family, mode)} -t nat -N DOCKER_OUTPUT;` : '';
    const result = await loadInFreshNetns(rules.family, mode, rules.restoreInput, setup);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Every rendered rule is in the kernel, in the tables we said we touch.
    expect(ruleLines(result.stdout)).toBe(ruleLines(rules.restoreInput));
    for (const table of rules.tables) expect(result.stdout).toContain(`*${table}\n`);
  });

  it.each(modes)('generated configurations load completely (%s)', async (mode) => {
    await fc.assert(
      fc.asyncProperty(configArbitrary, profileArbitrary, async (config, profile) => {
        const rendered = renderRules(config, profile);
        for (const rules of [rendered.ipv4, rendered.ipv6].filter((f) => f !== undefined)) {
          const setup = profile[rules.family].dockerOutput ? `${binary(rules.family, mode)} -t nat -N DOCKER_OUTPUT;` : '';
          const result = await loadInFreshNetns(rules.family, mode, rules.restoreInput, setup);
          expect(result.stderr).toBe('');
          expect(ruleLines(result.stdout)).toBe(ruleLines(rules.restoreInput));
        }
      }),
      { numRuns: 25 },
    );
  });

  it.each(modes)('Kuma’s single rule with more than 15 multiport references fails to load (%s)', async (mode) => {
    const ports = '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16';
    const input = `* nat\n-I OUTPUT 1 -m multiport -p tcp --dport ${ports} -m owner --uid-owner 1000 -j RETURN\nCOMMIT\n`;
    const result = await loadInFreshNetns('ipv4', mode, input);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('too many ports specified');
  });
});
