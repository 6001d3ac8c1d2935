// Every command that prints, run as a real process (bin/*.js) with more than
// 1 MB of output: once into a pipe whose reader holds off before reading (as
// `| kubectl apply -f -` may), once into a file. Both must be byte for byte the
// same, with the same exit code: a CLI that exits while pipe writes are
// pending cuts the output at the pipe's buffer (64 KiB) and still exits 0.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const injectorBin = join(root, 'bin', 'kuma-injector.js');
const initBin = join(root, 'bin', 'kuma-init.js');
const stateFile = join(root, 'webhook', 'demo', 'state.yaml');

const dir = mkdtempSync(join(tmpdir(), 'kuma-piped-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Enough Pods in the demo namespace that every printing command says more than 1 MB about them. */
function manyPods(count: number): string {
  const pods = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    // A long annotation makes every pod large, so the output of `uninject` (the pods back) is large too.
    metadata: { name: `web-${i}`, namespace: 'demo', labels: { app: `web-${i}` }, annotations: { 'example.com/notes': 'n'.repeat(1200) } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          livenessProbe: { httpGet: { path: '/live', port: 8080 } },
        },
      ],
    },
  }));
  return pods.map((pod) => stringify(pod)).join('---\n');
}

const podsFile = join(dir, 'pods.yaml');
writeFileSync(podsFile, manyPods(650));
// What `inject` prints, for `uninject` to read (made once, before the tests run).
const injectedFile = join(dir, 'injected.yaml');

/** stdout into a pipe that is not read for a while, then read to the end. */
function runIntoSlowPipe(bin: string, args: string[]): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.pause();
    // The reader starts late; a process that does not wait for its writes has exited by then.
    setTimeout(() => {
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stdout.resume();
    }, 1500);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks) }));
  });
}

/** stdout into a regular file. */
function runIntoFile(bin: string, args: string[], name: string): Promise<{ code: number | null; stdout: Buffer }> {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', fd, 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(fd);
      resolve({ code, stdout: readFileSync(path) });
    });
  });
}

const injectorCommands: [string, string[]][] = [
  ['inject', ['inject', '-f', podsFile, '--state', stateFile]],
  ['explain (text)', ['explain', '-f', podsFile, '--state', stateFile]],
  ['explain -o json', ['explain', '-f', podsFile, '--state', stateFile, '-o', 'json']],
  ['uninject', ['uninject', '-f', injectedFile, '--state', stateFile]],
];

beforeAll(async () => {
  const injected = await runIntoFile(injectorBin, ['inject', '-f', podsFile, '--state', stateFile], 'injected.yaml');
  expect(injected.code).toBe(0);
}, 120_000);

// Each case runs two processes with more than 1 MB of output each, on a shared machine.
describe('piped output is complete', { timeout: 120_000 }, () => {
  it.each(injectorCommands)('kuma-injector %s: a slow pipe gets the same bytes as a file', async (name, args) => {
    const [piped, filed] = await Promise.all([runIntoSlowPipe(injectorBin, args), runIntoFile(injectorBin, args, `${name}.out`)]);
    expect(filed.code).toBe(0);
    expect(filed.stdout.length).toBeGreaterThan(1024 * 1024);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBe(filed.stdout.length);
    expect(piped.stdout.equals(filed.stdout)).toBe(true);
  });

  it('kuma-init install --dry-run: a slow pipe gets the same bytes as a file', async () => {
    // Thousands of excluded CIDRs make the printed rules large.
    const cidrs = Array.from({ length: 8000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`).join(',');
    const args = ['install', 'transparent-proxy', '--dry-run', '--kuma-dp-user', '0', '--ip-family-mode', 'ipv4', '--exclude-outbound-ips', cidrs];
    const [piped, filed] = await Promise.all([runIntoSlowPipe(initBin, args), runIntoFile(initBin, args, 'init.out')]);
    expect(filed.code).toBe(0);
    expect(filed.stdout.length).toBeGreaterThan(1024 * 1024);
    expect(piped.code).toBe(0);
    expect(piped.stdout.equals(filed.stdout)).toBe(true);
  });
});
