import { describe, expect, it } from 'vitest';
import { jump, jumpReturn, protocol } from './params.ts';
import { appendRule, insertRule } from './rule.ts';
import { renderTable } from './table.ts';

const plain = { verbose: false, comments: false };

describe('renderTable (iptables-restore section)', () => {
  it('omits a table without rules', () => {
    expect(renderTable({ name: 'raw', customChains: [], rules: [] }, plain)).toBeUndefined();
  });

  it('numbers inserts per chain in generation order and leaves appends unnumbered', () => {
    const text = renderTable(
      {
        name: 'nat',
        customChains: [],
        rules: [
          insertRule('OUTPUT', 'a', jump('A')),
          appendRule('OUTPUT', 'b', jump('B')),
          insertRule('PREROUTING', 'c', jump('C')),
          insertRule('OUTPUT', 'd', jump('D')),
        ],
      },
      plain,
    );
    expect(text).toBe(['* nat', '-I PREROUTING 1 -j C', '-I OUTPUT 1 -j A', '-A OUTPUT -j B', '-I OUTPUT 2 -j D', 'COMMIT'].join('\n'));
  });

  it('prints built-in chains in their fixed order, then custom chains in declaration order', () => {
    const text = renderTable(
      {
        name: 'nat',
        customChains: ['KUMA_MESH_B', 'KUMA_MESH_A'],
        rules: [
          appendRule('KUMA_MESH_A', 'a', jumpReturn()),
          appendRule('POSTROUTING', 'p', jumpReturn()),
          appendRule('KUMA_MESH_B', 'b', jumpReturn()),
          appendRule('PREROUTING', 'r', jumpReturn()),
        ],
      },
      plain,
    );
    expect(text?.split('\n')).toEqual([
      '* nat',
      '-N KUMA_MESH_B',
      '-N KUMA_MESH_A',
      '-A PREROUTING -j RETURN',
      '-A POSTROUTING -j RETURN',
      '-A KUMA_MESH_B -j RETURN',
      '-A KUMA_MESH_A -j RETURN',
      'COMMIT',
    ]);
  });

  it('puts the comment first and drops it when comments are off or empty', () => {
    const table = {
      name: 'mangle' as const,
      customChains: [],
      rules: [appendRule('PREROUTING', 'why', protocol('tcp'), jumpReturn()), appendRule('OUTPUT', '', jumpReturn())],
    };
    expect(renderTable(table, { verbose: false, comments: true })?.split('\n').slice(1, 3)).toEqual([
      '-A PREROUTING -m comment --comment "kuma/mesh/transparent/proxy/why" -p tcp -j RETURN',
      '-A OUTPUT -j RETURN',
    ]);
    expect(renderTable(table, plain)?.split('\n')[1]).toBe('-A PREROUTING -p tcp -j RETURN');
  });

  it('verbose: long flags, section headers and blank lines between parts', () => {
    const text = renderTable(
      { name: 'nat', customChains: ['KUMA_MESH_X'], rules: [insertRule('KUMA_MESH_X', 'x', protocol('tcp'), jumpReturn())] },
      { verbose: true, comments: false },
    );
    expect(text).toBe(
      ['* nat', '# Custom Chains:\n--new-chain KUMA_MESH_X', '# Rules:\n--insert KUMA_MESH_X 1 --protocol tcp --jump RETURN', 'COMMIT'].join('\n\n'),
    );
  });
});
