// Issues ECDSA P-256 certificates with @peculiar/x509: a CA, and serving
// certificates that a CA signs. The CA is kept as PEM (certificate and
// PKCS#8 key), so it can be stored in a Secret and sign again later.
import 'reflect-metadata'; // @peculiar/x509 needs the Reflect polyfill before it loads
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import type { KeyPair } from './key-pair.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
export const dayMs = 86_400_000;
/** Certificates start this much before "now": tolerates clock skew between nodes. */
const skewMs = 60_000;

export interface Lifetime {
  notBefore: Date;
  notAfter: Date;
}

/** From a minute ago for `validMs`. */
export function lifetimeFrom(now: Date, validMs: number): Lifetime {
  const notBefore = new Date(now.getTime() - skewMs);
  return { notBefore, notAfter: new Date(notBefore.getTime() + validMs) };
}

export interface ServingNames {
  /** DNS names besides `localhost` (e.g. `kuma-injector.kuma-system.svc`). */
  dnsNames?: string[];
  /** IP addresses besides 127.0.0.1 and ::1. */
  ipAddresses?: string[];
}

/** A positive 128-bit serial, distinct per certificate. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

/** A self-signed CA that may sign end-entity certificates only (path length 0). */
export async function createCa(commonName: string, lifetime: Lifetime): Promise<KeyPair> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    ...lifetime,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: ca.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate (serverAuth) for localhost, loopback and `names`, signed by `ca`. */
export async function issueServing(ca: KeyPair, names: ServingNames, lifetime: Lifetime): Promise<KeyPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.key), algorithm, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const subjectNames = [
    ...['localhost', ...(names.dnsNames ?? [])].map((value) => ({ type: 'dns' as const, value })),
    ...['127.0.0.1', '::1', ...(names.ipAddresses ?? [])].map((value) => ({ type: 'ip' as const, value })),
  ];
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=kuma-injector',
    issuer: caCert.subject,
    ...lifetime,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(subjectNames),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: leaf.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}
