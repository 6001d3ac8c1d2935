// Real HTTPS on loopback: protocol floor, keep-alive, and certificate rotation
// by a kubelet-style `..data` symlink swap while requests keep flowing.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { AgentOptions } from 'node:https';
import { connect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { keepAliveTimeoutMs } from '../http/server.ts';
import type { KeyPair } from '../tls/key-pair.ts';
import { generateSelfSigned } from '../tls/self-signed.ts';
import type { SelfSignedCertificates } from '../tls/self-signed.ts';
import { WatchedKeyPair } from '../tls/watched-key-pair.ts';
import { decodeResponse, testCertificates, testServer } from '../../test-support/webhook/http-fixtures.ts';

/** A Secret volume as the kubelet lays it out: files are symlinks through `..data`. */
class SecretVolume {
  readonly dir = mkdtempSync(join(tmpdir(), `kuma-injector-tls-${process.pid}-`));
  private generation = 0;

  constructor(pair: KeyPair) {
    this.swap(pair, true);
    symlinkSync('..data/tls.crt', join(this.dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(this.dir, 'tls.key'));
  }

  get files() {
    return { certFile: join(this.dir, 'tls.crt'), keyFile: join(this.dir, 'tls.key') };
  }

  /** Writes a new timestamped directory and atomically renames a fresh `..data` link over the old one. */
  swap(pair: KeyPair, first = false): void {
    const previous = `..gen${this.generation}`;
    const next = `..gen${++this.generation}`;
    mkdirSync(join(this.dir, next));
    writeFileSync(join(this.dir, next, 'tls.crt'), pair.cert);
    writeFileSync(join(this.dir, next, 'tls.key'), pair.key);
    symlinkSync(next, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (!first) rmSync(join(this.dir, previous), { recursive: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Answer {
  statusCode: number;
  allowed: boolean;
  /** SHA-256 fingerprint of the serving certificate this connection got. */
  fingerprint: string;
}

function admitOver(port: number, options: { ca: string[]; agent?: Agent | false }): Promise<Answer> {
  const body = JSON.stringify(podAdmissionReview(samplePod()));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/inject-sidecar',
        method: 'POST',
        ca: options.ca,
        servername: 'localhost',
        agent: options.agent ?? false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        // Read while the socket is still attached to the response.
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          try {
            resolve({ statusCode: res.statusCode ?? 0, allowed: decodeResponse(text).response.allowed, fingerprint });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('TLS', () => {
  let cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function listening(overrides: Parameters<typeof testServer>[0] = {}) {
    const app = await testServer(overrides);
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => app.close());
    const address = app.server.address();
    return { app, port: typeof address === 'object' && address ? address.port : 0 };
  }

  function handshake(port: number, options: ConnectionOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options }, () => {
        const version = socket.getProtocol() ?? '';
        socket.end();
        resolve(version);
      });
      socket.on('error', reject);
    });
  }

  it('speaks TLS 1.2 and 1.3 and refuses older protocols', async () => {
    const { port } = await listening();
    expect(await handshake(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
    expect(await handshake(port, { minVersion: 'TLSv1.3' })).toBe('TLSv1.3');
    // The client is willing (security level 0); the server must still say no.
    const legacy = { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } as const;
    await expect(handshake(port, legacy)).rejects.toThrow(/protocol|version/i);
  });

  it('keeps idle connections for 90 s, longer than the API server’s idle timeout', async () => {
    const { app } = await listening();
    expect(keepAliveTimeoutMs).toBe(90_000);
    expect(app.server.keepAliveTimeout).toBe(90_000);
  });

  describe('rotation through a `..data` swap', () => {
    let first: SelfSignedCertificates;
    let second: SelfSignedCertificates;
    let volume: SecretVolume;
    let source: WatchedKeyPair;
    let errors: Error[];

    beforeEach(async () => {
      [first, second] = await Promise.all([testCertificates(), generateSelfSigned()]);
      volume = new SecretVolume(first.serving);
      errors = [];
      // The periodic re-check is pushed out of reach: the directory watch must do the work.
      source = new WatchedKeyPair(volume.files, { recheckMs: 3_600_000, onError: (error) => errors.push(error) });
      cleanup.push(
        () => volume.remove(),
        () => source.close(),
      );
    });

    it('serves the new certificate to new connections without failing a request of a continuous stream', async () => {
      const { port } = await listening({ tls: source });
      const trustBoth = [first.caCert, second.caCert];
      const oldPrint = fingerprintOf(first.serving.cert);
      const newPrint = fingerprintOf(second.serving.cert);

      // A keep-alive connection opened before the swap must keep working after it.
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 } satisfies AgentOptions);
      cleanup.push(() => keepAlive.destroy());
      expect((await admitOver(port, { ca: trustBoth, agent: keepAlive })).fingerprint).toBe(oldPrint);

      const answers: Answer[] = [];
      const failures: unknown[] = [];
      let swapped = false;
      let newSeen = 0;
      const deadline = Date.now() + 15_000;
      const stream = async () => {
        while (newSeen < 20 && Date.now() < deadline) {
          try {
            const answer = await admitOver(port, { ca: trustBoth });
            answers.push(answer);
            if (swapped && answer.fingerprint === newPrint) newSeen++;
          } catch (error) {
            failures.push(error);
          }
        }
      };
      const streams = Promise.all([stream(), stream(), stream(), stream()]);
      while (answers.length < 20) await new Promise((r) => setTimeout(r, 5));
      volume.swap(second.serving);
      swapped = true;
      await streams;

      expect(failures).toEqual([]);
      expect(answers.every((a) => a.statusCode === 200 && a.allowed)).toBe(true);
      expect(answers.some((a) => a.fingerprint === oldPrint)).toBe(true);
      expect(newSeen).toBeGreaterThanOrEqual(20);
      expect(errors).toEqual([]);

      // New connections: only the new chain verifies now.
      expect((await admitOver(port, { ca: [second.caCert] })).fingerprint).toBe(newPrint);
      await expect(admitOver(port, { ca: [first.caCert] })).rejects.toThrow(/verify|signature|certificate/i);
      // The connection opened before the swap still answers, with the certificate it began with.
      const reused = await admitOver(port, { ca: trustBoth, agent: keepAlive });
      expect(reused).toMatchObject({ statusCode: 200, fingerprint: oldPrint });
    });

    it('keeps the old certificate when the new pair does not parse, and takes the next good one', async () => {
      const { port } = await listening({ tls: source });
      const mismatched = { cert: second.serving.cert, key: first.serving.key };
      volume.swap(mismatched);
      const untilChecked = Date.now() + 10_000;
      while (errors.length === 0 && Date.now() < untilChecked) await new Promise((r) => setTimeout(r, 20));
      expect(errors).toHaveLength(1);
      expect((await admitOver(port, { ca: [first.caCert] })).fingerprint).toBe(fingerprintOf(first.serving.cert));

      volume.swap(second.serving);
      const newPrint = fingerprintOf(second.serving.cert);
      const untilReloaded = Date.now() + 10_000;
      while (source.current().cert !== second.serving.cert && Date.now() < untilReloaded) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await admitOver(port, { ca: [second.caCert] })).fingerprint).toBe(newPrint);
    });
  });
});
