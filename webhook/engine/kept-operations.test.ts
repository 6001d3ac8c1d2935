import { describe, expect, it } from 'vitest';
import { operation } from './kept-operations.ts';
import { shareValue, sharedJson } from './shared-value.ts';

describe('kept operations', () => {
  it('are the same frozen object, with its text, for the same op, place and string or shared value', () => {
    const first = operation('add', '/metadata/annotations', 'kuma.io~1mesh', 'default');
    expect(operation('add', '/metadata/annotations', 'kuma.io~1mesh', 'default')).toBe(first);
    expect(first).toEqual({ op: 'add', path: '/metadata/annotations/kuma.io~1mesh', value: 'default' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(sharedJson(first)).toBe(JSON.stringify(first));
    expect(operation('add', '/metadata/annotations', 'kuma.io~1mesh', 'demo')).not.toBe(first);
    expect(operation('replace', '/metadata/annotations', 'kuma.io~1mesh', 'default')).toEqual({ ...first, op: 'replace' });
    const volume = shareValue({ name: 'kuma-init-tmp' });
    expect(operation('add', '/spec/volumes', '-', volume)).toBe(operation('add', '/spec/volumes', '-', volume));
  });

  it("are built anew for a value of the pod's own (neither a string nor shared)", () => {
    const probe = { httpGet: { port: 9000 } };
    const op = operation('replace', '/spec/containers/0', 'livenessProbe', probe);
    expect(op).toEqual({ op: 'replace', path: '/spec/containers/0/livenessProbe', value: probe });
    expect(operation('replace', '/spec/containers/0', 'livenessProbe', probe)).not.toBe(op);
    expect(sharedJson(op)).toBeUndefined();
  });

  it('leave long strings out: built per admission, not held', () => {
    const long = 'x'.repeat(10_000);
    const op = operation('add', '/metadata/annotations', 'big', long);
    expect(op).toEqual({ op: 'add', path: '/metadata/annotations/big', value: long });
    expect(operation('add', '/metadata/annotations', 'big', long)).not.toBe(op);
    expect(sharedJson(op)).toBeUndefined();
  });

  it('are bounded: a flood of distinct values does not grow the store forever', () => {
    const first = operation('add', '/metadata/labels', 'app', 'value-0');
    for (let i = 1; i <= 5000; i++) operation('add', '/metadata/labels', 'app', `value-${i}`);
    expect(operation('add', '/metadata/labels', 'app', 'value-0')).not.toBe(first);
  });
});
