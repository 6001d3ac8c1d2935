import { describe, expect, it } from 'vitest';
import { patchJson } from './patch-json.ts';
import type { RecordedOperation } from './patch-recorder.ts';
import { listOf, quoteJson, shareValue, sharedJson, valueJson } from './shared-value.ts';

describe('patchJson', () => {
  it('is the text JSON.stringify gives, with shared and unshared values, odd paths and odd strings', () => {
    const shared = shareValue({ name: 'kuma-sidecar', env: [{ name: 'A', value: 'é"\\\n' }], n: 1.5, ok: true, none: null });
    const ops: RecordedOperation[] = [
      { op: 'add', path: '/metadata/annotations/kuma.io~1mesh', value: 'default' },
      { op: 'add', path: '/metadata/annotations/quo"te\\ and \u2028 日本', value: '😀' },
      { op: 'add', path: '/spec/containers/0', value: shared },
      { op: 'replace', path: '/spec/containers/1/livenessProbe', value: { httpGet: { port: 9000, path: '/x' } } },
      { op: 'add', path: '/spec/initContainers', value: [shared, { name: 'other' }] },
      { op: 'add', path: '/spec/x', value: 0 },
      { op: 'add', path: '/spec/y', value: null },
      { op: 'add', path: '/spec/z', value: false },
    ];
    expect(patchJson(ops)).toBe(JSON.stringify(ops));
    expect(patchJson([])).toBe('[]');
  });

  it('uses the kept text of a shared value, which cannot change', () => {
    const shared = shareValue({ list: [{ a: 1 }] });
    expect(sharedJson(shared)).toBe('{"list":[{"a":1}]}');
    expect(() => {
      (shared.list[0] as { a: number }).a = 2;
    }).toThrow(TypeError);
    expect(patchJson([{ op: 'add', path: '/a', value: shared }])).toBe('[{"op":"add","path":"/a","value":{"list":[{"a":1}]}}]');
    expect(sharedJson({ list: [] })).toBeUndefined();
  });
});

describe('quoteJson and valueJson', () => {
  it('quote every string as JSON.stringify does', () => {
    const strings = ['', 'a', 'é', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '😀', '\ud800', 'x\udc00y', '/metadata/annotations/kuma.io~1mesh'];
    for (const text of strings) expect(quoteJson(text)).toBe(JSON.stringify(text));
  });

  it('write arrays with shared items, and shared lists, as JSON.stringify does', () => {
    const part = shareValue({ b: [1, 'two'] });
    const items = [part, { c: 1 }, undefined, null];
    expect(valueJson(items)).toBe(JSON.stringify(items));
    const list = listOf(part);
    expect(listOf(part)).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
    expect(valueJson(list)).toBe(JSON.stringify([part]));
    // A value of a pod's own: a list for this call alone, never held.
    const own = { own: true };
    expect(listOf(own)).not.toBe(listOf(own));
    expect(sharedJson(listOf(own))).toBeUndefined();
  });
});
