// A throwaway CA and a serving certificate it signs (ECDSA P-256), for
// `serve --demo` and tests. In a cluster the certificate comes from a Secret
// (Helm, cert-manager) or from the self-managed mode (./self-managed/).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, dayMs, issueServing, lifetimeFrom } from './certificate-issuer.ts';
import type { ServingNames } from './certificate-issuer.ts';
import type { KeyPair } from './key-pair.ts';

export interface SelfSignedCertificates {
  /** PEM of the CA certificate: what clients trust (the webhook's caBundle). */
  caCert: string;
  /** The serving certificate (signed by the CA) and its key. */
  serving: KeyPair;
}

export interface SelfSignedOptions extends ServingNames {
  validDays?: number;
  /** Start of validity (default: a minute ago); tests make expired and not-yet-valid pairs with it. */
  notBefore?: Date;
}

export async function generateSelfSigned(options: SelfSignedOptions = {}): Promise<SelfSignedCertificates> {
  const lifetime = options.notBefore
    ? { notBefore: options.notBefore, notAfter: new Date(options.notBefore.getTime() + (options.validDays ?? 365) * dayMs) }
    : lifetimeFrom(new Date(), (options.validDays ?? 365) * dayMs);
  const ca = await createCa('kuma-injector demo CA', lifetime);
  return { caCert: ca.cert, serving: await issueServing(ca, options, lifetime) };
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
