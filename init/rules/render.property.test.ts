// Invariants of any rendered input, over generated configurations and profiles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderRules, type FamilyRules } from './render.ts';
import { configArbitrary, profileArbitrary } from '../../test-support/init/test-arbitraries.ts';

const BUILTIN_TARGETS = new Set(['RETURN', 'REDIRECT', 'CT', 'LOG', 'DROP', 'DOCKER_OUTPUT']);

function checkFamily(rules: FamilyRules, commented: boolean): void {
  const lines = rules.restoreInput.split('\n');
  expect(lines.filter((l) => l.startsWith('* ')).map((l) => l.slice(2))).toEqual(rules.tables);
  expect(rules.tables).toContain('nat');
  const positions = new Map<string, number>();
  for (const line of lines.filter((l) => /^(-A|-I|--append|--insert) /.test(l))) {
    const [op, chain, pos] = line.split(' ');
    if (op === '-I' || op === '--insert') {
      // Inserts of a chain are numbered 1, 2, 3… in text order.
      const next = (positions.get(chain!) ?? 0) + 1;
      expect(Number(pos)).toBe(next);
      positions.set(chain!, next);
    }
    const target = /(?:-j|--jump) (\S+)/.exec(line)?.[1];
    expect(target !== undefined && (BUILTIN_TARGETS.has(target) || rules.customChains.includes(target))).toBe(true);
    expect(line.includes('kuma/mesh/transparent/proxy/')).toBe(commented);
    const multiport = /(?:--dport|--destination-port) (\S+,\S+|\S+:\S+)/.exec(line)?.[1];
    if (multiport && line.includes('multiport')) {
      const refs = multiport.split(',').reduce((n, item) => n + (item.includes(':') ? 2 : 1), 0);
      expect(refs).toBeLessThanOrEqual(15);
    }
  }
}

describe('rendered input invariants', () => {
  it('holds for generated configurations and profiles', () => {
    fc.assert(
      fc.property(configArbitrary, profileArbitrary, (config, profile) => {
        const rendered = renderRules(config, profile);
        checkFamily(rendered.ipv4, !config.comments.disabled);
        if (rendered.ipv6) checkFamily(rendered.ipv6, !config.comments.disabled);
      }),
      { numRuns: 300 },
    );
  });
});
