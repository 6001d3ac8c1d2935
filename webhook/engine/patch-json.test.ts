import { describe, expect, it } from 'vitest';
import { patchJson } from './patch-json.ts';
import type { RecordedOperation } from './patch-recorder.ts';
import { extendShared, quoteJson, shareValue, sharedJson, valueJson } from './shared-value.ts';

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

  it('write extensions and arrays with shared items as JSON.stringify does', () => {
    const part = shareValue({ b: [1, 'two'] });
    const base = shareValue({ a: 'x"y', part, n: 0 });
    const extended = extendShared(base, { mounts: [{ name: 'é' }], gone: undefined, list: [part, undefined] });
    expect(valueJson(extended)).toBe(JSON.stringify(extended));
    const twice = extendShared(extended, { restartPolicy: 'Always' });
    expect(valueJson(twice)).toBe(JSON.stringify(twice));
    expect(Object.isFrozen(twice)).toBe(true);
    // A key the base has already: the object is written whole, the value replaced in place.
    const replacing = extendShared(base, { n: 1 });
    expect(valueJson(replacing)).toBe(JSON.stringify({ a: 'x"y', part, n: 1 }));
    expect(valueJson(extendShared(shareValue({}), { only: true }))).toBe('{"only":true}');
    expect(valueJson(extendShared(shareValue({}), {}))).toBe('{}');
    const items = [part, { c: 1 }, undefined, null];
    expect(valueJson(items)).toBe(JSON.stringify(items));
  });
});
