// `kuma-injector serve` as a user runs it: a real process through
// bin/kuma-injector.js, real HTTPS on loopback, the real engine, SIGTERM.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import jsonpatch from 'fast-json-patch';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { missingTools } from '../../test-support/environment.ts';
import { runCli } from '../cli/program.ts';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { generateSelfSigned, writeCertificates } from '../tls/self-signed.ts';
import { decodeResponse } from '../../test-support/webhook/http-fixtures.ts';
import { StandInApiServer } from '../../test-support/webhook/stand-in-api-server.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repo, 'bin/kuma-injector.js');

interface Running {
  child: ChildProcess;
  /** stdout and stderr as they arrived. */
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  // 'close', not 'exit': by then the pipes have delivered everything the process wrote.
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, output: () => text, stdout: () => stdout, exited };
}

async function waitFor<T>(running: Running, find: (output: string) => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = find(running.output());
    if (found !== undefined) return found;
    if (running.child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not come up:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A scratch directory (removed after the test) with a fresh CA and serving certificate. */
async function certificateDir() {
  const dir = mkdtempSync(join(tmpdir(), `kuma-injector-serve-${process.pid}-`));
  dirs.push(dir);
  const certificates = await generateSelfSigned();
  return { dir, ca: certificates.caCert, files: writeCertificates(dir, certificates) };
}

/** Starts `serve` on a free loopback port with these TLS files; resolves once it listens. */
async function serveWith(files: { certFile: string; keyFile: string }, args: string[]) {
  const serve = start(['serve', '--port', '0', '--host', '127.0.0.1', '--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile, ...args]);
  const port = await waitFor(serve, (text) => {
    const found = /kuma-injector listening (\d+)/.exec(text)?.[1];
    return found ? Number(found) : undefined;
  });
  return { serve, port };
}

function get(port: number, path: string, ca: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

/** POSTs a review; resolves to the HTTP status and the raw body. */
function post(port: number, ca: string, review: unknown): Promise<{ statusCode: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/inject-sidecar', method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => done({ statusCode: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    req.end(JSON.stringify(review));
  });
}

const admit = async (port: number, ca: string, review: unknown) => decodeResponse((await post(port, ca, review)).body);

describe('kuma-injector serve --demo (what npm start runs)', () => {
  it.skipIf(missingTools('curl'))('prints a curl example that returns an injecting patch, and exits cleanly on SIGTERM', async () => {
    const serve = start(['serve', '--demo', '--port', '0']);
    const curl = await waitFor(serve, (text) => /^curl .*$/m.exec(text)?.[0]);
    const caFile = /--cacert (\S+)/.exec(curl)![1]!;
    const reviewFile = /--data @(\S+)/.exec(curl)![1]!;
    const port = Number(/https:\/\/127\.0\.0\.1:(\d+)\//.exec(curl)![1]);
    expect(port).toBeGreaterThan(0);

    // Run the printed command as printed, through a shell.
    const { stdout } = await promisify(execFile)('sh', ['-c', curl]);
    const answer = decodeResponse(stdout);
    const review = JSON.parse(readFileSync(reviewFile, 'utf8')) as ReturnType<typeof podAdmissionReview>;
    expect(answer.response).toMatchObject({ uid: review.request.uid, allowed: true, patchType: 'JSONPatch' });
    const pod = jsonpatch.applyPatch(structuredClone(review.request.object), answer.ops, true, false).newDocument as {
      spec: { containers: { name: string }[]; initContainers?: { name: string }[] };
    };
    expect(pod.spec.containers.map((c) => c.name)).toContain('kuma-sidecar');
    expect(pod.spec.initContainers?.map((c) => c.name)).toContain('kuma-init');
    expect(await get(port, '/readyz', readFileSync(caFile, 'utf8'))).toBe(200);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.output()).toContain('shutting down');
    expect(existsSync(caFile)).toBe(false); // the demo's temp files are removed
  });
});

describe('kuma-injector serve --state with certificate files', () => {
  it("injects from the state files and refuses an unknown label value with Kuma's message", async () => {
    const { dir, ca, files } = await certificateDir();
    const stateFile = join(dir, 'state.yaml');
    writeFileSync(
      stateFile,
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
        { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'default' } },
      ]
        .map((object) => stringify(object, { version: '1.1' }))
        .join('---\n'),
    );
    const { serve, port } = await serveWith(files, ['--state', stateFile, '--shutdown-delay', '3']);

    const injected = await admit(port, ca, podAdmissionReview(samplePod(), { namespace: 'shop' }));
    expect(injected.response.allowed).toBe(true);
    expect(injected.ops.length).toBeGreaterThan(0);

    const plain = podAdmissionReview(samplePod(), { namespace: 'plain' });
    const skipped = await admit(port, ca, plain);
    expect(skipped.response).toEqual({ uid: plain.request.uid, allowed: true });

    const labelled = samplePod();
    (labelled.metadata as { labels: Record<string, string> }).labels['kuma.io/sidecar-injection'] = 'sure';
    const refused = await admit(port, ca, podAdmissionReview(labelled, { namespace: 'shop' }));
    expect(refused.response.allowed).toBe(false);
    expect(refused.response.status).toMatchObject({ code: 403, message: 'annotation "kuma.io/sidecar-injection" has wrong value "sure"' });

    // SIGTERM: readiness fails at once while admissions are still answered until the delay is over.
    expect(await get(port, '/readyz', ca)).toBe(200);
    serve.child.kill('SIGTERM');
    await waitFor(serve, (text) => (text.includes('shutting down') ? true : undefined));
    expect(await get(port, '/readyz', ca)).toBe(503);
    expect((await admit(port, ca, podAdmissionReview(samplePod(), { namespace: 'shop' }))).response.allowed).toBe(true);
    expect(await serve.exited).toBe(0);
  });
});

describe('kuma-injector serve watching a cluster (STAND-IN API server on loopback)', () => {
  it('is not ready until the watch caches have synced, then injects from them', async () => {
    const standIn = await StandInApiServer.start();
    try {
      standIn.put({ kind: 'Namespace', metadata: { name: 'kuma-system' } });
      standIn.put({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
      standIn.put({ kind: 'Mesh', metadata: { name: 'default' } });
      standIn.setKumaCrdsInstalled(false); // Meshes cannot be listed: the state cannot sync
      const { dir, ca, files } = await certificateDir();
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, standIn.kubeconfigYaml());
      const { serve, port } = await serveWith(files, ['--kubeconfig', kubeconfig, '--sidecar-containers', 'off', '--shutdown-delay', '0']);
      expect(await get(port, '/readyz', ca)).toBe(503);
      const unsynced = await post(port, ca, podAdmissionReview(samplePod(), { namespace: 'shop' }));
      expect(unsynced.statusCode).toBe(503);
      expect(JSON.parse(unsynced.body)).toMatchObject({ code: 'KI_ERR_NOT_READY' });
      standIn.setKumaCrdsInstalled(true);
      await waitFor(serve, (text) => (text.includes('every watch cache has synced') ? true : undefined));
      expect(await get(port, '/readyz', ca)).toBe(200);
      const injected = await admit(port, ca, podAdmissionReview(samplePod(), { namespace: 'shop' }));
      expect(injected.response.allowed).toBe(true);
      expect(injected.ops.length).toBeGreaterThan(0);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      await standIn.close();
    }
  });
});

/**
 * A proxy in front of the stand-in, TLS on both sides: it serves with its own
 * throwaway CA (the kubeconfig it returns trusts that one), reaches the
 * stand-in trusting the CA of the stand-in's kubeconfig, answers GET /version
 * with `version` (the stand-in's own is fixed) and passes everything else through.
 */
async function versionFront(standIn: StandInApiServer, version: { major: string; minor: string }) {
  const kubeconfig = parse(standIn.kubeconfigYaml()) as { clusters: [{ cluster: { server: string; 'certificate-authority-data': string } }] };
  const cluster = kubeconfig.clusters[0].cluster;
  const standInCa = Buffer.from(cluster['certificate-authority-data'], 'base64');
  const standInUrl = cluster.server;
  const { caCert, serving } = await generateSelfSigned();
  const front = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    if (req.url?.startsWith('/version')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...version, gitVersion: `v${version.major}.${version.minor.replace('+', '')}.3` }));
      return;
    }
    const upstream = request(`${standInUrl}${req.url ?? '/'}`, { method: req.method, headers: req.headers, agent: false, ca: standInCa }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    // A watch ends when its client goes away, so the stand-in can close.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
  const { port } = front.address() as AddressInfo;
  cluster.server = `https://127.0.0.1:${port}`;
  cluster['certificate-authority-data'] = Buffer.from(caCert).toString('base64');
  return { front, kubeconfig: stringify(kubeconfig) };
}

/** `serve --sidecar-containers auto` watching the stand-in through the version front; resolves once its caches synced. */
async function serveAuto(standIn: StandInApiServer, kubeconfig: string) {
  standIn.put({ kind: 'Namespace', metadata: { name: 'kuma-system' } });
  standIn.put({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
  standIn.put({ kind: 'Mesh', metadata: { name: 'default' } });
  const { dir, ca, files } = await certificateDir();
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig);
  const { serve, port } = await serveWith(files, ['--kubeconfig', join(dir, 'kubeconfig'), '--sidecar-containers', 'auto', '--shutdown-delay', '0']);
  await waitFor(serve, (text) => (text.includes('every watch cache has synced') ? true : undefined));
  return { serve, port, ca };
}

/** Generous for a loaded machine; without its own end the process would run on until killed. */
const exitBoundMs = 15_000;

describe('kuma-injector serve --sidecar-containers auto (STAND-IN API server on loopback)', () => {
  it.each([
    { major: '1', minor: '30', native: true },
    { major: '1', minor: '28', native: false },
    // EKS-style minor: Kuma's version parse fails, so native sidecars stay off.
    { major: '1', minor: '29+', native: false },
  ])('decides native sidecars from the server version (%o)', async ({ major, minor, native }) => {
    const standIn = await StandInApiServer.start();
    const { front, kubeconfig } = await versionFront(standIn, { major, minor });
    try {
      const { serve, port, ca } = await serveAuto(standIn, kubeconfig);
      const review = podAdmissionReview(samplePod(), { namespace: 'shop' });
      const answer = await admit(port, ca, review);
      const pod = jsonpatch.applyPatch(structuredClone(review.request.object), answer.ops, true, false).newDocument as {
        spec: { containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] };
      };
      const nativeSidecar = pod.spec.initContainers?.find((c) => c.name === 'kuma-sidecar');
      expect(nativeSidecar?.restartPolicy === 'Always').toBe(native);
      expect(pod.spec.containers.some((c) => c.name === 'kuma-sidecar')).toBe(!native);
      expect(serve.output().includes('sidecarContainers feature is enabled but Kubernetes server does not support it')).toBe(!native);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      front.closeAllConnections();
      front.close();
      await standIn.close();
    }
  });

  // The front holds back the headers of a watch until its first event, as a buffering proxy may:
  // those watches are still connecting at SIGTERM, and nothing but the process itself may end them.
  it('ends by itself after SIGTERM: exit 0, its piped stdout complete to the last line', async () => {
    const standIn = await StandInApiServer.start();
    const { front, kubeconfig } = await versionFront(standIn, { major: '1', minor: '30' });
    try {
      const { serve } = await serveAuto(standIn, kubeconfig);
      serve.child.kill('SIGTERM');
      const ended = await Promise.race([serve.exited, new Promise((done) => setTimeout(() => done('still running'), exitBoundMs))]);
      expect(ended).toBe(0);
      const stdout = serve.stdout();
      expect(stdout.endsWith('\n')).toBe(true);
      const messages = stdout
        .slice(0, -1)
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain('shutting down: readiness fails now, closing after the delay');
      expect(messages.at(-1)).toBe('kuma-injector stopped');
    } finally {
      front.closeAllConnections();
      front.close();
      await standIn.close();
    }
  });
});

describe('kuma-injector serve usage errors', () => {
  it('exits 1 (a usage error) with a message when there are no TLS files and no --demo', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['serve', '--state', '/nonexistent.yaml'])).toBe(1);
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain('--tls-cert-file and --tls-key-file are both required');
    } finally {
      stderr.mockRestore();
    }
  });

  it('exits 2 with the state file error and its stable code before listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), `serve-state-${process.pid}-`));
    dirs.push(dir);
    const stateFile = join(dir, 'state.yaml');
    writeFileSync(stateFile, 'apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n');
    const running = start(['serve', '--demo', '--port', '0', '--state', stateFile]);
    expect(await running.exited).toBe(2);
    expect(running.output()).toContain(`kuma-injector: state file ${stateFile}, document 1: Namespace has no metadata.name (STATE_OBJECT_INVALID)\n`);
  });

  it('exits 1 on a bad flag value', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['serve', '--port', 'https'])).toBe(1);
      expect(await runCli(['serve', '--sidecar-containers', 'maybe'])).toBe(1);
      // A request at the body limit must fit in the in-flight budget.
      expect(await runCli(['serve', '--demo', '--body-limit', '1000', '--max-inflight-bytes', '999'])).toBe(1);
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain('--max-inflight-bytes (999) must be at least --body-limit (1000)');
    } finally {
      stderr.mockRestore();
    }
  });
});
