// What self-managed mode keeps in its Secret: the CA that signs, the serving
// pair it signed, and during a CA rotation the next CA (already trusted, not
// yet signing) or the previous CA (no longer signing, still trusted). The
// caBundle is derived from it: previous, active, next, in that order.
import { X509Certificate } from 'node:crypto';
import type { KeyPair } from '../key-pair.ts';

export interface TlsState {
  /** The CA that signed `serving`. */
  ca: KeyPair;
  serving: KeyPair;
  /** Generated ahead of a CA rotation: in the caBundle before it signs anything. */
  next?: KeyPair;
  /** When the caBundle was last seen holding `next`; unset until then. */
  nextTrustedSince?: Date;
  /** The CA before the last rotation: kept in the caBundle until every replica serves the new certificate. */
  previousCaCert?: string;
  /** When `serving` started to be signed by `ca` after a rotation. */
  switchedAt?: Date;
}

/** Secret keys (the values are PEM). tls.crt and tls.key keep the kubernetes.io/tls layout. */
const keys = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: 'tls.crt',
  key: 'tls.key',
  nextCaCert: 'next-ca.crt',
  nextCaKey: 'next-ca.key',
  previousCaCert: 'previous-ca.crt',
} as const;

const annotations = {
  nextTrustedSince: 'kuma-injector.kuma.io/next-ca-trusted-since',
  switchedAt: 'kuma-injector.kuma.io/ca-switched-at',
} as const;

/** The Secret's content, decoded: PEM strings and annotations. */
export interface SecretContent {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

export function encodeState(state: TlsState): SecretContent {
  const data: Record<string, string> = {
    [keys.caCert]: state.ca.cert,
    [keys.caKey]: state.ca.key,
    [keys.cert]: state.serving.cert,
    [keys.key]: state.serving.key,
  };
  if (state.next) Object.assign(data, { [keys.nextCaCert]: state.next.cert, [keys.nextCaKey]: state.next.key });
  if (state.previousCaCert) data[keys.previousCaCert] = state.previousCaCert;
  const notes: Record<string, string> = {};
  if (state.nextTrustedSince) notes[annotations.nextTrustedSince] = state.nextTrustedSince.toISOString();
  if (state.switchedAt) notes[annotations.switchedAt] = state.switchedAt.toISOString();
  return { data, annotations: notes };
}

const dateOf = (text: string | undefined): Date | undefined => {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** The state in a Secret, or a reason it cannot be used (missing keys, unreadable PEM). */
export function decodeState(content: SecretContent): TlsState | { unusable: string } {
  const { data } = content;
  const missing = [keys.caCert, keys.caKey, keys.cert, keys.key].filter((k) => !data[k]);
  if (missing.length > 0) return { unusable: `missing ${missing.join(', ')}` };
  const state: TlsState = {
    ca: { cert: data[keys.caCert]!, key: data[keys.caKey]! },
    serving: { cert: data[keys.cert]!, key: data[keys.key]! },
  };
  const [nextCert, nextKey] = [data[keys.nextCaCert], data[keys.nextCaKey]];
  if (nextCert && nextKey) {
    state.next = { cert: nextCert, key: nextKey };
    state.nextTrustedSince = dateOf(content.annotations[annotations.nextTrustedSince]);
  }
  if (data[keys.previousCaCert]) {
    state.previousCaCert = data[keys.previousCaCert];
    state.switchedAt = dateOf(content.annotations[annotations.switchedAt]) ?? new Date(0);
  }
  for (const cert of [state.ca.cert, state.serving.cert, state.next?.cert, state.previousCaCert]) {
    if (cert === undefined) continue;
    try {
      new X509Certificate(cert);
    } catch (error) {
      return { unusable: `a certificate does not parse: ${(error as Error).message}` };
    }
  }
  return state;
}

/** The CA certificates the API server must trust, as one PEM bundle. */
export function trustedBundle(state: TlsState): string {
  return [state.previousCaCert, state.ca.cert, state.next?.cert]
    .filter((pem): pem is string => pem !== undefined)
    .map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`))
    .join('');
}
