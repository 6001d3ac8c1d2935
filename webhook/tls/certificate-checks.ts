// Checks a serving key pair must pass before it is served. Node's
// createSecureContext alone lets through a key of another type than the
// certificate's (an RSA key beside an ECDSA certificate: OpenSSL files them in
// different slots), and a certificate outside its validity period: both
// build a context that then fails every handshake. Each check throws a
// CertificateError whose message names what is wrong, for the log line.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyPair } from './key-pair.ts';

export type CertificateProblem = 'unreadable' | 'key-mismatch' | 'not-yet-valid' | 'expired';

export class CertificateError extends Error {
  constructor(
    readonly problem: CertificateProblem,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** The first certificate of a PEM chain: the one a server presents as its own. */
export function leafCertificate(chainPem: string): X509Certificate {
  try {
    return new X509Certificate(chainPem);
  } catch (error) {
    throw new CertificateError('unreadable', `the certificate does not parse: ${(error as Error).message}`);
  }
}

function publicKeyOfPrivate(keyPem: string): Buffer {
  try {
    return createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  } catch (error) {
    throw new CertificateError('unreadable', `the private key does not parse: ${(error as Error).message}`);
  }
}

/** Throws unless the private key is the one the (leaf) certificate certifies. */
export function assertKeyPairMatches(pair: KeyPair): void {
  const leaf = leafCertificate(pair.cert);
  const certified = leaf.publicKey.export({ type: 'spki', format: 'der' });
  if (!certified.equals(publicKeyOfPrivate(pair.key))) {
    const type = leaf.publicKey.asymmetricKeyType ?? 'unknown';
    throw new CertificateError('key-mismatch', `the private key does not belong to the certificate (${leaf.subject.replaceAll('\n', ', ')}, ${type} key)`);
  }
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function validityOf(certificate: X509Certificate): Validity {
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}

/** Throws when `now` is outside the certificate's validity period. */
export function assertCurrentlyValid(certificate: X509Certificate, now: Date = new Date()): void {
  const { notBefore, notAfter } = validityOf(certificate);
  if (now < notBefore) throw new CertificateError('not-yet-valid', `the certificate is not valid before ${notBefore.toISOString()} (now ${now.toISOString()})`);
  if (now > notAfter) throw new CertificateError('expired', `the certificate expired at ${notAfter.toISOString()} (now ${now.toISOString()})`);
}

/** Every check a pair must pass before it is served. */
export function assertServable(pair: KeyPair, now: Date = new Date()): void {
  assertKeyPairMatches(pair);
  assertCurrentlyValid(leafCertificate(pair.cert), now);
}
