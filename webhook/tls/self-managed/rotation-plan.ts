// The next step of the certificate lifecycle, decided from the stored state
// and the clock alone (pure). A CA rotation takes three steps, each stored
// before the next one starts, so that the API server always trusts the CA of
// every certificate a replica may serve:
//   prepare-ca     a next CA is generated and added to the caBundle;
//   switch-ca      once the caBundle has held it for `propagationMs`, it
//                  signs a new serving certificate and the old CA becomes
//                  "previous" (still in the caBundle);
//   drop-previous  `overlapMs` after the switch (every replica has re-read
//                  the Secret and serves the new certificate), the old CA
//                  leaves the caBundle.
// A serving certificate alone is renewed in place: its CA stays trusted.
import { X509Certificate } from 'node:crypto';
import { assertKeyPairMatches, validityOf } from '../certificate-checks.ts';
import type { TlsState } from './tls-state.ts';

export interface RotationPolicy {
  caValidityMs: number;
  servingValidityMs: number;
  /** Renew a certificate when less than this fraction of its lifetime is left. */
  renewFraction: number;
  /** How long the caBundle holds a new CA before it signs: the API server's webhook clients must see it first. */
  propagationMs: number;
  /** How long the old CA stays trusted after the switch: longer than every replica's re-read of the Secret. */
  overlapMs: number;
}

const dayMs = 86_400_000;

export const defaultRotationPolicy: RotationPolicy = {
  caValidityMs: 5 * 365 * dayMs,
  servingValidityMs: 365 * dayMs,
  renewFraction: 1 / 3,
  propagationMs: 60_000,
  overlapMs: 5 * 60_000,
};

export type RotationStep =
  | { step: 'none'; recheckAt: Date }
  | { step: 'renew-serving'; reason: string }
  | { step: 'prepare-ca'; reason: string }
  | { step: 'switch-ca' }
  | { step: 'drop-previous' }
  | { step: 'wait'; for: 'trust' | 'overlap'; until?: Date };

/** When a certificate is due for renewal: `renewFraction` of its lifetime before it expires. */
function renewalTime(cert: string, renewFraction: number): Date {
  const { notBefore, notAfter } = validityOf(new X509Certificate(cert));
  return new Date(notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) * renewFraction);
}

/** Why the serving certificate cannot stay, or undefined. */
function servingProblem(state: TlsState, now: Date, policy: RotationPolicy): string | undefined {
  const ca = new X509Certificate(state.ca.cert);
  const leaf = new X509Certificate(state.serving.cert);
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return 'the serving certificate was not signed by the active CA';
  try {
    assertKeyPairMatches(state.serving);
  } catch (error) {
    return (error as Error).message;
  }
  if (now < validityOf(leaf).notBefore) return 'the serving certificate is not valid yet';
  if (now >= renewalTime(state.serving.cert, policy.renewFraction)) return 'the serving certificate is due for renewal';
  return undefined;
}


export function planRotation(state: TlsState, now: Date, policy: RotationPolicy): RotationStep {
  if (state.previousCaCert !== undefined) {
    const until = new Date((state.switchedAt ?? now).getTime() + policy.overlapMs);
    return now >= until ? { step: 'drop-previous' } : { step: 'wait', for: 'overlap', until };
  }
  if (state.next !== undefined) {
    if (state.nextTrustedSince === undefined) return { step: 'wait', for: 'trust' };
    const until = new Date(state.nextTrustedSince.getTime() + policy.propagationMs);
    return now >= until ? { step: 'switch-ca' } : { step: 'wait', for: 'trust', until };
  }
  const caRenewal = renewalTime(state.ca.cert, policy.renewFraction);
  if (now >= caRenewal) return { step: 'prepare-ca', reason: 'the CA is due for renewal' };
  const problem = servingProblem(state, now, policy);
  if (problem !== undefined) return { step: 'renew-serving', reason: problem };
  const servingRenewal = renewalTime(state.serving.cert, policy.renewFraction);
  return { step: 'none', recheckAt: servingRenewal < caRenewal ? servingRenewal : caRenewal };
}
