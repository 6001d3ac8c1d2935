// A throwaway CA and a serving certificate it signs (ECDSA P-256), for
// `serve --demo` and tests. In a cluster the certificate comes from a Secret
// (Helm, cert-manager); this is never used there.
import 'reflect-metadata'; // @peculiar/x509 needs the Reflect polyfill before it loads
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './key-pair.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const dayMs = 86_400_000;

export interface SelfSignedCertificates {
  /** PEM of the CA certificate: what clients trust (the webhook's caBundle). */
  caCert: string;
  /** The serving certificate (signed by the CA) and its key. */
  serving: KeyPair;
}

export interface SelfSignedOptions {
  /** DNS names besides `localhost` (e.g. `kuma-injector.kuma-system.svc`). */
  dnsNames?: string[];
  /** IP addresses besides 127.0.0.1 and ::1. */
  ipAddresses?: string[];
  validDays?: number;
  /** Start of validity (default: a minute ago); tests make expired and not-yet-valid pairs with it. */
  notBefore?: Date;
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

export async function generateSelfSigned(options: SelfSignedOptions = {}): Promise<SelfSignedCertificates> {
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000); // tolerate small clock skew
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 365) * dayMs);

  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=kuma-injector demo CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const leafKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const names = [
    ...['localhost', ...(options.dnsNames ?? [])].map((value) => ({ type: 'dns' as const, value })),
    ...['127.0.0.1', '::1', ...(options.ipAddresses ?? [])].map((value) => ({ type: 'ip' as const, value })),
  ];
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=kuma-injector',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
    ],
  });

  return {
    caCert: ca.toString('pem'),
    serving: { cert: leaf.toString('pem'), key: await privateKeyPem(leafKeys.privateKey) },
  };
}

export interface CertificateFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Writes `ca.crt`, `tls.crt` and `tls.key` (mode 0600) into `dir`. */
export function writeCertificates(dir: string, certificates: SelfSignedCertificates): CertificateFiles {
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  writeFileSync(files.caFile, certificates.caCert);
  writeFileSync(files.certFile, certificates.serving.cert);
  writeFileSync(files.keyFile, certificates.serving.key, { mode: 0o600 });
  return files;
}
