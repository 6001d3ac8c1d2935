// `serve` start-up failures, in-process through the program's entry: each
// names the flag and the file, says what to do, and has the documented exit
// code (1 usage, 2 start-up failure; docs/webhook.md). None may leave a
// --demo folder (it holds a private key) behind.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSelfSigned, writeCertificates, type CertificateFiles } from '../tls/self-signed.ts';
import { runCli } from './program.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-serve-startup-'));
let files: CertificateFiles;
let otherFiles: CertificateFiles;
beforeAll(async () => {
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  files = writeCertificates(join(dir, 'a'), await generateSelfSigned());
  otherFiles = writeCertificates(join(dir, 'b'), await generateSelfSigned());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

/** Runs `kuma-injector ARGS` in-process; the exit code and what went to stderr. */
async function kumaInjector(args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(args);
    return { code, stderr: stderr.mock.calls.map(([text]) => String(text)).join('') };
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

const tls = () => ['--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile];
const stateFile = join(dir, 'state.yaml');
writeFileSync(stateFile, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n');

describe('serve start-up errors (exit 2) name the flag and the file', () => {
  it('no kubeconfig anywhere: exits at once instead of retrying for ever', async () => {
    delete process.env.KUBECONFIG;
    process.env.HOME = join(dir, 'empty-home');
    const { code, stderr } = await kumaInjector(['serve', '--port', '0', ...tls()]);
    expect(code).toBe(2);
    expect(stderr).toContain('no kubeconfig');
    expect(stderr).toContain('Pass --kubeconfig FILE');
  });

  it.each([
    ['--kubeconfig', () => ['--kubeconfig', join(dir, 'missing-kubeconfig'), ...tls()], join(dir, 'missing-kubeconfig')],
    ['--tls-cert-file', () => ['--tls-cert-file', join(dir, 'missing.crt'), '--tls-key-file', files.keyFile], join(dir, 'missing.crt')],
    ['--tls-key-file', () => ['--tls-cert-file', files.certFile, '--tls-key-file', join(dir, 'missing.key')], join(dir, 'missing.key')],
    ['--config', () => ['--state', stateFile, '--config', join(dir, 'missing.yaml'), ...tls()], join(dir, 'missing.yaml')],
    ['--ca-cert-file', () => ['--state', stateFile, '--ca-cert-file', join(dir, 'missing-ca.crt'), ...tls()], join(dir, 'missing-ca.crt')],
  ])('a missing %s file', async (flag, args, file) => {
    const { code, stderr } = await kumaInjector(['serve', '--port', '0', ...args()]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${flag} ${file}: cannot read: no such file`);
    expect(stderr).not.toContain('ENOENT');
  });

  it('a certificate file without PEM says which flag and what it expected', async () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const cert = await kumaInjector(['serve', '--state', stateFile, '--tls-cert-file', junk, '--tls-key-file', files.keyFile]);
    expect(cert.code).toBe(2);
    expect(cert.stderr).toContain(`--tls-cert-file ${junk}: no PEM certificate`);
    const key = await kumaInjector(['serve', '--state', stateFile, '--tls-cert-file', files.certFile, '--tls-key-file', junk]);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain(`--tls-key-file ${junk}: no PEM private key`);
  });

  it('a certificate with the key of another one names both files', async () => {
    const { code, stderr } = await kumaInjector(['serve', '--state', stateFile, '--tls-cert-file', files.certFile, '--tls-key-file', otherFiles.keyFile]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--tls-cert-file ${files.certFile} and --tls-key-file ${otherFiles.keyFile} are not a usable key pair`);
  });

  it('a port in use names --port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, stderr } = await kumaInjector(['serve', '--state', stateFile, '--host', '127.0.0.1', '--port', String(port), ...tls()]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--host 127.0.0.1 --port ${port}: cannot listen`);
    } finally {
      taken.close();
    }
  });
});

describe('serve --demo cleans up when it fails', () => {
  it('removes its temporary folder (with the private key) after a start-up error', () => {
    // A real process: the folder is made under its $TMPDIR.
    const scratch = mkdtempSync(join(dir, 'tmp-'));
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kuma-injector.js');
    const run = spawnSync(process.execPath, [bin, 'serve', '--demo', '--port', '0', '--config', join(dir, 'missing.yaml')], {
      env: { ...process.env, TMPDIR: scratch },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(readdirSync(scratch).filter((name) => name.startsWith('kuma-injector-demo-'))).toEqual([]);
  });
});

describe('serve and inject usage errors (exit 1)', () => {
  it.each([
    [['serve', '--demo', '--envoy-admin-port', '0'], '--envoy-admin-port'],
    [['serve', '--demo', '--control-plane-url', 'banana'], '--control-plane-url'],
    [['serve', '--demo', '--control-plane-url', 'ftp://kuma-cp:5678'], '--control-plane-url'],
    [['serve', '--tls-cert-file', '/x.crt'], '--tls-cert-file and --tls-key-file are both required'],
    [['serve'], '--tls-cert-file and --tls-key-file are both required'],
    [['inject', '-f', '-', '--envoy-admin-port', '0'], '--envoy-admin-port'],
    [['inject', '-f', '-', '--server-version', 'banana', '--sidecar-containers', 'auto'], '--server-version'],
    [['explain', '-f', '-', '--control-plane-url', 'not a url'], '--control-plane-url'],
  ])('%j', async (args, named) => {
    const { code, stderr } = await kumaInjector(args);
    expect(code).toBe(1);
    expect(stderr).toContain(named);
  });

  it('accepts the server versions providers report', async () => {
    const { serverVersion } = await import('./flag-values.ts');
    for (const version of ['1.30', 'v1.30.2', '1.29+', 'v1.31.0-eks-1234']) expect(serverVersion(version)).toBe(version);
  });
});
