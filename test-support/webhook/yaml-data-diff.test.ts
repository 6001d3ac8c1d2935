import { describe, expect, it } from 'vitest';
import { yamlDataDiff } from './yaml-data-diff.ts';

describe('yamlDataDiff', () => {
  it('ignores key order and treats empty values as absent keys', () => {
    expect(yamlDataDiff({ b: 1, a: { x: 'y' }, status: {} }, { a: { x: 'y' }, b: 1, resources: [], n: null })).toEqual([]);
  });

  it('reports scalar type differences', () => {
    expect(yamlDataDiff({ port: '9000' }, { port: 9000 })).toEqual(['/port: expected 9000, got "9000"']);
    expect(yamlDataDiff({ on: 'true' }, { on: true })).toHaveLength(1);
  });

  it('keeps list order and length significant', () => {
    expect(yamlDataDiff({ l: [1, 2] }, { l: [2, 1] })).toHaveLength(2);
    expect(yamlDataDiff({ l: [1] }, { l: [1, 2] })).toHaveLength(1);
  });

  it('sees a missing non-empty key and an empty string as a value', () => {
    expect(yamlDataDiff({}, { a: 'x' })).toEqual(['/a: expected "x", got (absent)']);
    expect(yamlDataDiff({}, { a: '' })).toHaveLength(1);
    expect(yamlDataDiff({}, { a: 0 })).toHaveLength(1);
  });
});
