import { describe, expect, it } from 'vitest';
import { MULTIPORT_MAX_REFS, splitPortList } from './multiport.ts';

const singles = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const refs = (list: string) => list.split(',').reduce((n, item) => n + (item.includes(':') ? 2 : 1), 0);

describe('splitPortList (at most 15 multiport references per rule)', () => {
  it('leaves a list that fits untouched, byte for byte', () => {
    expect(splitPortList('1900,1902,1000:2000')).toEqual(['1900,1902,1000:2000']);
    expect(splitPortList('1:65535')).toEqual(['1:65535']);
    expect(splitPortList(singles(1, 15).join(','))).toEqual([singles(1, 15).join(',')]);
  });

  it('splits 16 single ports into 15 + 1', () => {
    expect(splitPortList(singles(1, 16).join(','))).toEqual([singles(1, 15).join(','), '16']);
  });

  it('counts a range as two references', () => {
    // 7 ranges = 14 refs, one more range would make 16.
    const ranges = Array.from({ length: 8 }, (_, i) => `${i * 10}:${i * 10 + 5}`);
    const chunks = splitPortList(ranges.join(','));
    expect(chunks).toEqual([ranges.slice(0, 7).join(','), ranges[7]]);
    expect(splitPortList(['1', ...ranges.slice(0, 7)].join(','))).toEqual([['1', ...ranges.slice(0, 7)].join(',')]);
  });

  it('keeps every port exactly once and in order, whatever the list', () => {
    const list = [...singles(100, 120), '200:300', ...singles(400, 410), '500:600', '700'].join(',');
    const chunks = splitPortList(list);
    expect(chunks.join(',')).toBe(list);
    for (const chunk of chunks) expect(refs(chunk)).toBeLessThanOrEqual(MULTIPORT_MAX_REFS);
  });
});
