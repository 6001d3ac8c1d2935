// A serving key and certificate, read from files together and checked by
// building a TLS context from them and by ./certificate-checks.ts, so a
// half-written, mismatched or expired pair is rejected before it can replace
// a working one.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { SecureContextOptions } from 'node:tls';
import { assertServable } from './certificate-checks.ts';

export interface KeyPair {
  /** PEM certificate chain (leaf first). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/** Never below TLS 1.2, whatever the Node default or the caller says. */
export const minTlsVersion = 'TLSv1.2';

export function secureContextOptions(pair: KeyPair): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: minTlsVersion };
}

/** Throws when the key and certificate do not parse, do not belong together, or are not valid now. */
export function checkKeyPair(pair: KeyPair): KeyPair {
  createSecureContext(secureContextOptions(pair));
  assertServable(pair);
  return pair;
}

export function readKeyPair(files: { certFile: string; keyFile: string }): KeyPair {
  return checkKeyPair({ cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') });
}

export function sameKeyPair(a: KeyPair, b: KeyPair): boolean {
  return a.cert === b.cert && a.key === b.key;
}
