import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCurrentlyValid, assertKeyPairMatches, assertServable, leafCertificate } from './certificate-checks.ts';
import { createCa, dayMs, issueServing, lifetimeFrom } from './certificate-issuer.ts';
import { expiryMetricName, registerCertificateExpiry } from './certificate-metrics.ts';
import { checkKeyPair } from './key-pair.ts';
import type { KeyPair } from './key-pair.ts';
import { fixedKeyPair } from './key-pair-source.ts';
import { WatchedKeyPair } from './watched-key-pair.ts';

const rsaKey = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('serving key pair checks', () => {
  let good: KeyPair;
  let other: KeyPair;
  /** An ECDSA certificate beside an RSA key: OpenSSL files them in different slots. */
  let mismatched: KeyPair;

  beforeAll(async () => {
    const lifetime = lifetimeFrom(new Date(), 30 * dayMs);
    const ca = await createCa('test CA', lifetime);
    [good, other] = await Promise.all([issueServing(ca, {}, lifetime), issueServing(ca, {}, lifetime)]);
    mismatched = { cert: good.cert, key: rsaKey() };
  });

  it('refuses a key of another type than the certificate, which a TLS context alone accepts', () => {
    expect(() => createSecureContext({ cert: mismatched.cert, key: mismatched.key })).not.toThrow();
    expect(() => assertKeyPairMatches(mismatched)).toThrow(expect.objectContaining({ problem: 'key-mismatch' }));
    expect(() => checkKeyPair(mismatched)).toThrow(/does not belong to the certificate/);
  });

  it('refuses a key of the same type that certifies another certificate, and accepts the right one', () => {
    expect(() => assertKeyPairMatches({ cert: good.cert, key: other.key })).toThrow(expect.objectContaining({ problem: 'key-mismatch' }));
    expect(() => assertServable(good)).not.toThrow();
    expect(() => assertKeyPairMatches({ cert: 'not a certificate', key: good.key })).toThrow(expect.objectContaining({ problem: 'unreadable' }));
  });

  it('tells a certificate not yet valid from an expired one', async () => {
    const now = new Date();
    const future = { notBefore: new Date(now.getTime() + dayMs), notAfter: new Date(now.getTime() + 2 * dayMs) };
    const past = { notBefore: new Date(now.getTime() - 2 * dayMs), notAfter: new Date(now.getTime() - dayMs) };
    const ca = await createCa('test CA', { notBefore: past.notBefore, notAfter: future.notAfter });
    const [early, late] = await Promise.all([issueServing(ca, {}, future), issueServing(ca, {}, past)]);
    expect(() => assertServable(early, now)).toThrow(expect.objectContaining({ problem: 'not-yet-valid' }));
    expect(() => assertServable(late, now)).toThrow(expect.objectContaining({ problem: 'expired' }));
    expect(() => checkKeyPair(late)).toThrow(/expired/);
    // The same certificate is fine at a moment inside its period.
    expect(() => assertCurrentlyValid(leafCertificate(early.cert), new Date(now.getTime() + 1.5 * dayMs))).not.toThrow();
  });

  describe('files watched for rotation', () => {
    let dir: string;
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (pair: KeyPair) => {
      writeFileSync(join(dir, 'tls.crt'), pair.cert);
      writeFileSync(join(dir, 'tls.key'), pair.key);
      return { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    };

    it('refuses a mismatched pair at start-up and on reload, keeping the pair in use', () => {
      dir = mkdtempSync(join(tmpdir(), 'kuma-injector-checks-'));
      expect(() => new WatchedKeyPair(write(mismatched), { recheckMs: 3_600_000 })).toThrow(/does not belong/);

      const errors: Error[] = [];
      const source = new WatchedKeyPair(write(good), { recheckMs: 3_600_000, settleMs: 3_600_000, onError: (e) => errors.push(e) });
      const reloaded: KeyPair[] = [];
      source.onChange((pair) => reloaded.push(pair));
      write(mismatched);
      expect(source.check()).toBe(false);
      expect(source.current()).toEqual(good);
      expect(reloaded).toEqual([]);
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/does not belong/)]);
      source.close();
    });
  });

  it('exposes the expiry of the pair in use as a gauge', async () => {
    const registry = new Registry();
    let current = good;
    registerCertificateExpiry(registry, { ...fixedKeyPair(good), current: () => current });
    const notAfterOf = (pair: KeyPair) => new Date(leafCertificate(pair.cert).validTo).getTime() / 1000;
    const valueIn = async () => Number(new RegExp(`^${expiryMetricName} (\\S+)$`, 'm').exec(await registry.metrics())?.[1]);
    expect(await valueIn()).toBe(notAfterOf(good));
    const lifetime = lifetimeFrom(new Date(), 2 * dayMs);
    current = await issueServing(await createCa('short CA', lifetime), {}, lifetime);
    expect(await valueIn()).toBe(notAfterOf(current));
    expect(notAfterOf(current)).not.toBe(notAfterOf(good));
  });
});
