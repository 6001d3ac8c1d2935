// The body parser's shortcut must never let through what Fastify's parser
// rejects: checked against Fastify's own parser over many ways of writing the
// two poisoning keys (each letter plain or \u-escaped, either case).
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { admissionJsonParser, mayHoldPoisonedKey } from './json-body.ts';

const fastifyParser = Fastify().getDefaultJsonParser('error', 'error');

/** Fastify's parser on its own: the reference. */
const secureParse = (body: string) =>
  new Promise<{ error: Error | null; value?: unknown }>((done) => {
    void fastifyParser({} as never, body, (error, value) => done({ error, value }));
  });

/** Ours, with Fastify's parser behind it as the server wires it. */
const parseWith = (body: string) =>
  new Promise<{ error: Error | null; value?: unknown }>((done) => {
    void admissionJsonParser(fastifyParser)({} as never, body, (error, value) => done({ error, value }));
  });

/** Every spelling of `word` with each letter either as it is or as a \u escape (upper- or lower-case hex). */
function spellings(word: string, limit: number): string[] {
  const out: string[] = [];
  const total = 3 ** word.length;
  for (let n = 0; n < total && out.length < limit; n += Math.max(1, Math.floor(total / limit))) {
    let text = '';
    let rest = n;
    for (const char of word) {
      const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
      text += [char, `\\u${hex}`, `\\u${hex.toUpperCase()}`][rest % 3];
      rest = Math.floor(rest / 3);
    }
    out.push(text);
  }
  return out;
}

describe('admission JSON body parser', () => {
  it.each([
    ['__proto__', (key: string) => `{"a":1,"${key}":{"x":1}}`],
    ['constructor', (key: string) => `{"a":1,"${key}":{"prototype":{"x":1}}}`],
  ])('every spelling of %s that Fastify rejects is sent to it, and rejected', async (word, body) => {
    for (const spelling of spellings(word, 400)) {
      const text = body(spelling);
      expect((await secureParse(text)).error).toBeInstanceOf(Error);
      expect(mayHoldPoisonedKey(text)).toBe(true);
      expect((await parseWith(text)).error).toBeInstanceOf(Error);
    }
  });

  it('parses ordinary bodies to the same value as Fastify', async () => {
    for (const text of ['{"a":[1,2,{"b":"c"}]}', '{"protocol":"TCP","prototype":"x"}', '{"s":"caf\\u00e9"}', '\uFEFF{"bom":true}']) {
      const ours = await parseWith(text);
      expect(ours.error).toBeNull();
      expect(ours).toEqual(await secureParse(text));
    }
  });

  it('leaves the errors of bad bodies to Fastify, with its codes', async () => {
    for (const text of ['', '{"a":', 'nope']) {
      const ours = (await parseWith(text)).error as Error & { code?: string };
      expect(ours).toBeInstanceOf(Error);
      expect(ours.code).toBe(((await secureParse(text)).error as Error & { code?: string }).code);
    }
  });
});
