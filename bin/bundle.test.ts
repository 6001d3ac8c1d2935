// The images' bundled programs (bin/bundle.ts) behave as the TypeScript
// sources do; kuma-init's runs with no node_modules at all, through a
// `kumactl` symlink as Kuma's injector calls it, and install-cni's too.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNodeDirs } from '../test-support/init/install-cni/node-dirs.ts';
import { bundleProgram } from './bundle.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const demo = (file: string) => join(repo, 'webhook', 'demo', file);

/** The files a bundle loads up front: the entry and the chunks it imports statically, transitively. */
function staticImports(entry: string): string[] {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^import [^;]*?from "(\.\/[^"]+)";?$/gm)) visit(join(dirname(file), m[1]!));
  };
  visit(entry);
  return [...loaded].flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^import [^;]*?from "([^"]+)";?$/gm)].map((m) => m[1]!));
}

describe('bundled programs', () => {
  // Inside the repository, so the webhook bundle's npm imports resolve to node_modules as in its image.
  const outdir = mkdtempSync(join(repo, '.tmp-bundle-test-'));
  // Outside it: kuma-init's bundle must need nothing but node.
  const bare = mkdtempSync(join(tmpdir(), 'kuma-init-bundle-'));
  const bundles = { injector: '', init: '', installCni: '' };
  beforeAll(async () => {
    bundles.injector = await bundleProgram('kuma-injector', outdir);
    const built = await bundleProgram('kuma-init', outdir);
    bundles.init = join(bare, 'kuma-init.mjs');
    copyFileSync(built, bundles.init);
    symlinkSync(bundles.init, join(bare, 'kumactl'));
    bundles.installCni = join(bare, 'install-cni.mjs');
    copyFileSync(await bundleProgram('install-cni', outdir), bundles.installCni);
    symlinkSync(bundles.installCni, join(bare, 'install-cni'));
  }, 60_000);
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  });

  it('kuma-injector injects exactly what the TypeScript CLI injects', async () => {
    const args = ['inject', '--state', demo('state.yaml'), '-f', demo('pod.yaml')];
    const [bundled, sources] = await Promise.all([
      run(process.execPath, [bundles.injector, ...args]),
      run(process.execPath, [join(repo, 'bin', 'kuma-injector.js'), ...args]),
    ]);
    expect(bundled.stdout).toContain('kuma-sidecar');
    expect(bundled.stdout).toBe(sources.stdout);
  }, 60_000);

  it('kuma-injector loads @kubernetes/client-node only through a dynamic import (serve --state never needs it)', () => {
    const imports = staticImports(bundles.injector);
    expect(imports).toContain('fastify');
    expect(imports).not.toContain('@kubernetes/client-node');
  });

  it('kuma-init, run as `kumactl` from a directory without node_modules, answers as the TypeScript CLI does', async () => {
    // Nothing that probes the system: the help text, and a bad flag (Kuma's error text and exit code).
    type Outcome = { code: number; stdout: string; stderr: string };
    const outcome = (p: Promise<{ stdout: string; stderr: string }>): Promise<Outcome> =>
      p.then((r) => ({ code: 0, ...r }), (e: Outcome) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const both = (args: string[]) =>
      Promise.all([outcome(run(join(bare, 'kumactl'), args, { cwd: bare })), outcome(run(process.execPath, [join(repo, 'bin', 'kuma-init.js'), ...args]))]);
    const [helpBundled, helpSources] = await both(['install', 'transparent-proxy', '--help']);
    expect(helpBundled.stdout).toContain('--redirect-outbound-port');
    expect(helpBundled).toEqual(helpSources);
    const [badBundled, badSources] = await both(['install', 'transparent-proxy', '--redirect-outbound-port', 'abc']);
    expect(badBundled.code).not.toBe(0);
    expect(badBundled.stderr).toContain('invalid argument "abc" for "--redirect-outbound-port" flag');
    expect(badBundled).toEqual(badSources);
    expect(staticImports(bundles.init).filter((name) => !name.startsWith('node:'))).toEqual([]);
  }, 60_000);

  it('install-cni, from a directory without node_modules, installs and cleans up, and carries the Kubernetes client', async () => {
    const node = makeNodeDirs();
    try {
      const primary = '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"ptp"}]}';
      writeFileSync(join(node.confDir, '10-ptp.conflist'), primary);
      const once = await run(join(bare, 'install-cni'), [], { cwd: bare, env: { ...node.env, SLEEP: 'false' } });
      expect(once.stderr).toContain('kuma-cni is installed and in the chain');
      expect(once.stderr).toContain('finished cleanup');
      expect(readFileSync(join(node.confDir, '10-ptp.conflist'), 'utf8')).toBe(primary);
      // The repair's client (bundled, loaded on demand) reads the kubeconfig file and names it when it is missing.
      const env = { ...node.env, INSTALL_CNI_REPAIR_MODE: 'delete', NODE_NAME: 'node-a', INSTALL_CNI_KUBECONFIG: join(node.root, 'missing-kubeconfig') };
      const failed = await run(join(bare, 'install-cni'), [], { cwd: bare, env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/cannot load the kubeconfig for the race repair: ENOENT.*missing-kubeconfig/);
      expect(staticImports(bundles.installCni).filter((name) => !isBuiltin(name))).toEqual([]);
    } finally {
      node.remove();
    }
  }, 60_000);
});
