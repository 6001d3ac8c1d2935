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

/**
 * TLS 1.3's suites, and for TLS 1.2 only ECDHE key exchange (forward secrecy)
 * with AEAD ciphers: what the Kubernetes API server (Go's crypto/tls) offers
 * by default. No CBC, SHA-1 MACs, CCM, ARIA or static RSA key exchange.
 */
export const tls13CipherSuites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
export const tls12CipherSuites = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

export function secureContextOptions(pair: KeyPair): SecureContextOptions {
  return {
    cert: pair.cert,
    key: pair.key,
    minVersion: minTlsVersion,
    ciphers: [...tls13CipherSuites, ...tls12CipherSuites].join(':'),
    honorCipherOrder: true,
  };
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
