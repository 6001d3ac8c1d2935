import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkKeyPair } from './key-pair.ts';
import { generateSelfSigned } from './self-signed.ts';

describe('generateSelfSigned', () => {
  it('makes a CA and a serving certificate it signed, for localhost, loopback and the given names', async () => {
    const { caCert, serving } = await generateSelfSigned({ dnsNames: ['kuma-injector.kuma-system.svc'], ipAddresses: ['10.0.0.7'] });
    const ca = new X509Certificate(caCert);
    const leaf = new X509Certificate(serving.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkHost('kuma-injector.kuma-system.svc')).toBe('kuma-injector.kuma-system.svc');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(() => checkKeyPair(serving)).not.toThrow();
  });

  it('gives every certificate its own serial and key', async () => {
    const [a, b] = await Promise.all([generateSelfSigned(), generateSelfSigned()]);
    expect(new X509Certificate(a.serving.cert).serialNumber).not.toBe(new X509Certificate(b.serving.cert).serialNumber);
    expect(new X509Certificate(a.caCert).serialNumber).not.toBe(new X509Certificate(a.serving.cert).serialNumber);
    expect(() => checkKeyPair({ cert: a.serving.cert, key: b.serving.key })).toThrow();
  });
});
