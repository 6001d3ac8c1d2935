// The pure chaining decisions, on generated configs: chaining is idempotent
// and reversible, keys are written in Go's order, and hostile keys stay data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainKuma, chainProblem, discoverConfName, hasKumaEntry, resolveConfName, serializeConfig, unchainKuma } from './cni-conf.ts';
import { goMarshalIndent, parseJsonObject, type JsonObject } from './go-json.ts';

const kuma: JsonObject = { type: 'kuma-cni', log_level: 'info', kubernetes: { kubeconfig: '/etc/cni/net.d/ZZZ-kuma-cni-kubeconfig' } };

const jsonValue = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
const plugin = fc
  .record({ type: fc.constantFrom('calico', 'portmap', 'bandwidth', 'cilium-cni', 'flannel'), extra: fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 3 }) })
  .map(({ type, extra }) => ({ ...extra, type }));
const conflist = fc.record({ cniVersion: fc.constantFrom('0.3.1', '0.4.0', '1.0.0'), name: fc.string({ minLength: 1, maxLength: 10 }), plugins: fc.array(plugin, { minLength: 1, maxLength: 4 }) });

describe('chainKuma / unchainKuma', () => {
  it('chains in kuma-cni once, at the end, whatever the list held', () => {
    fc.assert(
      fc.property(conflist, (host) => {
        const chained = chainKuma(host, kuma);
        expect(chainProblem(chained, kuma)).toBeUndefined();
        expect(chainKuma(chained, kuma)).toEqual(chained);
        expect((chained.plugins as JsonObject[]).at(-1)).toEqual(kuma);
      }),
    );
  });

  it('gives back the primary list once kuma-cni is removed', () => {
    fc.assert(
      fc.property(conflist, (host) => {
        expect(unchainKuma(chainKuma(host, kuma))).toEqual(host);
      }),
    );
  });

  it('replaces an outdated kuma-cni entry instead of adding a second', () => {
    const old = { ...kuma, log_level: 'debug' };
    const host = { name: 'k8s', plugins: [{ type: 'calico' }, old] };
    expect(chainProblem(host, kuma)).toBe('kuma-cni plugin in the chained config file is outdated');
    expect(chainKuma(host, kuma).plugins).toEqual([{ type: 'calico' }, kuma]);
  });

  it("refuses lists Kuma refuses, with Kuma's words", () => {
    expect(() => chainKuma({ name: 'x' }, kuma)).toThrow("config does not have 'plugins' field");
    expect(() => chainKuma({ name: 'x', plugins: {} }, kuma)).toThrow("config's 'plugins' field is not an array");
    expect(() => chainKuma({ name: 'x', plugins: ['calico'] }, kuma)).toThrow('plugin is not an object');
    expect(chainProblem({ name: 'x', plugins: [1] }, kuma)).toBe('plugin is not an object');
    expect(chainProblem(undefined, kuma)).toBe('chained config file is not a JSON object');
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const host = parseJsonObject('{"name":"x","__proto__":{"polluted":true},"plugins":[{"type":"calico","__proto__":{"p":1}}]}')!;
    const text = serializeConfig(chainKuma(host, kuma));
    expect(text).toContain('"__proto__": {');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(hasKumaEntry(parseJsonObject(text)!)).toBe(true);
  });
});

describe("goMarshalIndent: Go's json.MarshalIndent", () => {
  it('sorts keys bytewise at every level and escapes as Go does', () => {
    expect(goMarshalIndent({ b: 1, a: { d: [], c: {} }, B: '<&>' })).toBe(
      '{\n  "B": "\\u003c\\u0026\\u003e",\n  "a": {\n    "c": {},\n    "d": []\n  },\n  "b": 1\n}',
    );
  });
});

describe('discoverConfName', () => {
  const file = (name: string, config: unknown) => ({ name, text: JSON.stringify(config) });
  it('picks the first file the runtime would load, skipping invalid ones and other extensions', () => {
    expect(
      discoverConfName([
        file('20-b.conflist', { name: 'b', plugins: [] }),
        file('05-broken.conf', { name: 'no type' }),
        { name: '07-half.conflist', text: '{"name": "b", "plu' },
        file('00-notes.txt', { type: 'x' }),
        file('10-a.conf', { type: 'bridge' }),
      ]),
    ).toBe('10-a.conf');
  });
  it("resolves Kuma's missing .conf to an existing .conflist", () => {
    expect(resolveConfName('10-calico.conf', (n) => n === '10-calico.conflist')).toBe('10-calico.conflist');
    expect(resolveConfName('10-calico.conf', () => true)).toBe('10-calico.conf');
  });
});
