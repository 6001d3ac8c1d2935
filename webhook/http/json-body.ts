// The admission body parser. Fastify's JSON parser (secure-json-parse) scans
// every body with two regular expressions for `__proto__` and `constructor`
// keys after parsing it. A body with neither word and no `\u` escape cannot
// hold such a key (an escaped letter needs `\u`), so it is parsed as it is;
// every other body, and every body JSON.parse rejects, goes through Fastify's
// parser, which gives the same result and the same errors as before.
import type { FastifyBodyParser } from 'fastify';

type StringBodyParser = FastifyBodyParser<string>;

/** True when the text may hold a prototype-poisoning key, however escaped. */
export function mayHoldPoisonedKey(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

/** `secure` is Fastify's default JSON parser (`app.getDefaultJsonParser('error', 'error')`). */
export function admissionJsonParser(secure: StringBodyParser): StringBodyParser {
  return (request, body, done) => {
    if (mayHoldPoisonedKey(body)) return secure(request, body, done);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Empty bodies, a byte-order mark, bad JSON: Fastify's parser names the error.
      return secure(request, body, done);
    }
    done(null, parsed);
  };
}
