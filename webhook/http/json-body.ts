// The admission body parser. Fastify's JSON parser (secure-json-parse) scans
// every body with two regular expressions for `__proto__` and `constructor`
// keys after parsing it. A body with neither word and no `\u` escape cannot
// hold such a key (an escaped letter needs `\u`), so it is parsed as it is;
// every other body, and every body JSON.parse rejects, goes through Fastify's
// parser, which gives the same result and the same errors as before.
// Before either, a body with more objects and arrays than any pod is refused
// unparsed (webhook/limits): parsing it is what would cost the memory.
import type { FastifyBodyParser } from 'fastify';
import { maxBodyContainers } from '../limits/index.ts';
import { holdsMoreContainersThan } from './body-containers.ts';
import { WebhookError } from './errors.ts';

type StringBodyParser = FastifyBodyParser<string>;

/** True when the text may hold a prototype-poisoning key, however escaped. */
export function mayHoldPoisonedKey(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

/** `secure` is Fastify's default JSON parser (`app.getDefaultJsonParser('error', 'error')`). */
export function admissionJsonParser(secure: StringBodyParser): StringBodyParser {
  return (request, body, done) => {
    if (holdsMoreContainersThan(body, maxBodyContainers)) return done(new WebhookError('KI_ERR_TOO_MANY_OBJECTS'), undefined);
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
