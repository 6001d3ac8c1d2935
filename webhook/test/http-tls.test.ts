// Real HTTPS on loopback: protocol floor, keep-alive, and certificate rotation
// by a kubelet-style `..data` symlink swap while requests keep flowing.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { Agent, request } from 'node:https';
import type { AgentOptions } from 'node:https';
import { connect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingTools } from '../../test-support/environment.ts';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { WebhookMetrics } from '../http/metrics.ts';
import { keepAliveTimeoutMs } from '../http/server.ts';
import { fixedKeyPair } from '../tls/key-pair-source.ts';
import { tls12CipherSuites, tls13CipherSuites } from '../tls/key-pair.ts';
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

    /** Waits until `done()` holds (a watcher event and its settle time), for at most 10 s. */
    async function until(done: () => boolean): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }

    const dayMs = 86_400_000;
    const expiredPair = async () => (await generateSelfSigned({ notBefore: new Date(Date.now() - 10 * dayMs), validDays: 1 })).serving;
    const futurePair = async () => (await generateSelfSigned({ notBefore: new Date(Date.now() + dayMs) })).serving;

    it('refuses an expired or not-yet-valid certificate on reload: keeps the old one, logs an error, shows it in a metric', async () => {
      const lines: { level: number; msg: string; err?: { message: string } }[] = [];
      const stream = new PassThrough();
      stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as (typeof lines)[number])));
      const metrics = new WebhookMetrics({ processMetrics: false });
      const { port } = await listening({ tls: source, metrics, logger: { level: 'info', stream } });
      const oldPrint = fingerprintOf(first.serving.cert);
      const gauge = async () => /^kuma_injector_serving_certificate_refused (\d)/m.exec(await metrics.exposition())?.[1];

      volume.swap(await expiredPair());
      await until(() => errors.length === 1);
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/expired at/)]);
      expect((await admitOver(port, { ca: [first.caCert] })).fingerprint).toBe(oldPrint);
      expect(await gauge()).toBe('1');

      volume.swap(await futurePair());
      await until(() => errors.length === 2);
      expect(errors[1]?.message).toMatch(/not valid before/);
      expect((await admitOver(port, { ca: [first.caCert] })).fingerprint).toBe(oldPrint);

      volume.swap(second.serving);
      await until(() => source.current().cert === second.serving.cert);
      expect((await admitOver(port, { ca: [second.caCert] })).fingerprint).toBe(fingerprintOf(second.serving.cert));
      expect(await gauge()).toBe('0');
      expect(await metrics.exposition()).toMatch(/kuma_injector_certificate_reloads_total\{result="refused"\} 2/);
      const refusals = lines.filter((l) => l.msg === 'new serving certificate refused; keeping the old one');
      expect(refusals.map((l) => l.level)).toEqual([50, 50]);
      expect(lines.some((l) => l.msg === 'serving certificate reloaded' && l.level === 30)).toBe(true);
      expect(lines.filter((l) => l.msg === 'serving certificate reloaded')).toHaveLength(1);
    });

    it('under load (16 connections), valid, expired, mismatched and garbage files in turn: no failed request, only the valid ones served', async () => {
      const { port } = await listening({ tls: source });
      const third = await generateSelfSigned();
      const trusted = [first.caCert, second.caCert, third.caCert];
      const answers: Answer[] = [];
      const failures: unknown[] = [];
      let running = true;
      // Half the connections are kept alive (one per agent), half are new for every request.
      const stream = async (agent: Agent | false) => {
        while (running) {
          try {
            answers.push(await admitOver(port, { ca: trusted, agent }));
          } catch (error) {
            failures.push(error);
          }
        }
      };
      const agents = Array.from({ length: 8 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
      cleanup.push(() => agents.forEach((agent) => agent.destroy()));
      const streams = Promise.all([...agents.map((agent) => stream(agent)), ...Array.from({ length: 8 }, () => stream(false))]);
      const served = (cert: string) => answers.filter((a) => a.fingerprint === fingerprintOf(cert)).length;
      const settle = async () => {
        const seen = answers.length;
        await until(() => answers.length >= seen + 32);
      };

      volume.swap(second.serving);
      await until(() => source.current().cert === second.serving.cert);
      await settle();
      volume.swap(await expiredPair());
      await until(() => errors.length === 1);
      await settle();
      volume.swap({ cert: third.serving.cert, key: second.serving.key });
      await until(() => errors.length === 2);
      await settle();
      volume.swap({ cert: 'garbage', key: 'more garbage' });
      await until(() => errors.length === 3);
      await settle();
      volume.swap(third.serving);
      await until(() => source.current().cert === third.serving.cert);
      const before = served(third.serving.cert);
      await until(() => served(third.serving.cert) >= before + 16);
      running = false;
      await streams;

      expect(failures).toEqual([]);
      expect(answers.length).toBeGreaterThan(150);
      expect(answers.every((a) => a.statusCode === 200 && a.allowed)).toBe(true);
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/expired/), expect.anything(), expect.anything()]);
      // Only the three valid pairs were ever served.
      const prints = new Set(answers.map((a) => a.fingerprint));
      const valid = new Set([first, second, third].map((c) => fingerprintOf(c.serving.cert)));
      expect([...prints].every((print) => valid.has(print))).toBe(true);
      expect(served(second.serving.cert)).toBeGreaterThan(0);
      expect(served(third.serving.cert)).toBeGreaterThanOrEqual(16);
    });
  });
});

const run = promisify(execFile);

/** True when `openssl s_client` completes a handshake with exactly these options. */
async function opensslAccepts(port: number, args: string[]): Promise<boolean> {
  try {
    const running = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { timeout: 10_000 });
    running.child.stdin?.end(); // s_client ends once its input does
    const { stdout } = await running;
    return /Cipher is (?!\(NONE\))/.test(stdout);
  } catch {
    return false;
  }
}

/** Runs `task` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  return results;
}

describe.skipIf(missingTools('openssl'))('cipher suites offered (openssl s_client, every suite OpenSSL knows)', () => {
  // Every suite this OpenSSL can offer in TLS 1.2 (TLS 1.3's are probed apart).
  const allSuites = () => execFileSync('openssl', ['ciphers', '-s', '-tls1_2', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' }).trim().split(':');
  const tls13All = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

  async function offered(pair: KeyPair): Promise<{ tls12: string[]; tls13: string[] }> {
    const app = await testServer({ tls: fixedKeyPair(pair) });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const tls12Names = allSuites().filter((name) => !name.startsWith('TLS_'));
      const tls12 = await inBatches(tls12Names, 8, async (name) => ((await opensslAccepts(port, ['-tls1_2', '-cipher', `${name}:@SECLEVEL=0`])) ? name : ''));
      const tls13 = await inBatches(tls13All, 5, async (name) => ((await opensslAccepts(port, ['-tls1_3', '-ciphersuites', name])) ? name : ''));
      return { tls12: tls12.filter(Boolean).sort(), tls13: tls13.filter(Boolean).sort() };
    } finally {
      await app.close();
    }
  }

  it('with an ECDSA certificate: TLS 1.2 ECDHE-ECDSA AEAD suites and TLS 1.3, nothing else', { timeout: 120_000 }, async () => {
    const { tls12, tls13 } = await offered((await testCertificates()).serving);
    expect(tls12).toEqual(tls12CipherSuites.filter((s) => s.startsWith('ECDHE-ECDSA-')).sort());
    expect(tls13).toEqual([...tls13CipherSuites].sort());
  });

  it('with an RSA certificate: TLS 1.2 ECDHE-RSA AEAD suites (forward secrecy) and TLS 1.3, nothing else', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `kuma-injector-rsa-${process.pid}-`));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key'), '-out', join(dir, 'cert')], { stdio: 'ignore' });
      const pair = { cert: readFileSync(join(dir, 'cert'), 'utf8'), key: readFileSync(join(dir, 'key'), 'utf8') };
      const { tls12, tls13 } = await offered(pair);
      expect(tls12).toEqual(tls12CipherSuites.filter((s) => s.startsWith('ECDHE-RSA-')).sort());
      expect(tls13).toEqual([...tls13CipherSuites].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
