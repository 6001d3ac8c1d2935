import jsonpatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { PatchRecorder, pointer } from './patch-recorder.ts';

describe('PatchRecorder', () => {
  it('escapes JSON pointers', () => {
    expect(pointer(['metadata', 'annotations', 'kuma.io/x~y'])).toBe('/metadata/annotations/kuma.io~1x~0y');
  });

  it('records targeted operations whose application reproduces the working copy, without touching the input', () => {
    const input = {
      metadata: { name: 'p', labels: { app: 'a' } },
      spec: { containers: [{ name: 'app', livenessProbe: { httpGet: { port: 8080 } } }], volumes: [{ name: 'v' }] },
    };
    const before = structuredClone(input);
    const recorder = new PatchRecorder(input);
    recorder.setEntry(['metadata', 'annotations'], 'kuma.io/a', '1');
    recorder.setEntry(['metadata', 'annotations'], 'kuma.io/b', '2');
    recorder.setEntry(['metadata', 'labels'], 'kuma.io/mesh', 'default');
    recorder.insert(['spec', 'containers'], 0, { name: 'sidecar' });
    recorder.append(['spec', 'volumes'], { name: 'tmp' });
    recorder.append(['spec', 'initContainers'], { name: 'init' });
    recorder.insert(['spec', 'initContainers'], 0, { name: 'first' });
    recorder.replace(['spec', 'containers', 1, 'livenessProbe'], { httpGet: { port: 9000 } });

    expect(input).toEqual(before);
    expect(recorder.ops.map((op) => `${op.op} ${op.path}`)).toEqual([
      'add /metadata/annotations',
      'add /metadata/annotations/kuma.io~1a',
      'add /metadata/annotations/kuma.io~1b',
      'add /metadata/labels/kuma.io~1mesh',
      'add /spec/containers/0',
      'add /spec/volumes/-',
      'add /spec/initContainers',
      'add /spec/initContainers/0',
      'replace /spec/containers/1/livenessProbe',
    ]);
    // the map added empty stays empty in the recorded operation
    expect(recorder.ops[0]).toEqual({ op: 'add', path: '/metadata/annotations', value: {} });
    const applied = jsonpatch.applyPatch(structuredClone(input), recorder.ops, true, false).newDocument;
    expect(applied).toEqual(recorder.doc);
    expect((recorder.doc).spec.containers.map((c) => c.name)).toEqual(['sidecar', 'app']);
    // untouched branches are shared with the input, touched ones are copies
    expect((recorder.doc).spec.volumes[0]).toBe(input.spec.volumes[0]);
    expect((recorder.doc).spec.containers[1]).not.toBe(input.spec.containers[0]);
  });

  it('creates missing parents (metadata) with separate operations', () => {
    const recorder = new PatchRecorder<Record<string, unknown>>({ spec: {} });
    recorder.setEntry(['metadata', 'labels'], 'a', 'b');
    expect(recorder.ops.map((op) => op.path)).toEqual(['/metadata', '/metadata/labels', '/metadata/labels/a']);
    expect(recorder.doc).toEqual({ spec: {}, metadata: { labels: { a: 'b' } } });
  });
});
