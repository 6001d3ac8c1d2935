// The image's bundled program (webhook/bundle.ts) behaves as the TypeScript
// sources do: same injection output, and `serve` answers over HTTPS.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWebhook } from './bundle.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const demo = (file: string) => join(repo, 'webhook', 'demo', file);

describe('webhook bundle', () => {
  // Inside the repository, so the bundle's npm imports resolve to node_modules as in the image.
  const outdir = mkdtempSync(join(repo, '.tmp-bundle-test-'));
  let entry = '';
  beforeAll(async () => {
    entry = await bundleWebhook(outdir);
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('injects exactly what the TypeScript CLI injects', async () => {
    const args = ['inject', '--state', demo('state.yaml'), '-f', demo('pod.yaml')];
    const [bundled, sources] = await Promise.all([
      run(process.execPath, [entry, ...args]),
      run(process.execPath, [join(repo, 'bin', 'kuma-injector.js'), ...args]),
    ]);
    expect(bundled.stdout).toContain('kuma-sidecar');
    expect(bundled.stdout).toBe(sources.stdout);
  }, 60_000);

  it('loads @kubernetes/client-node only through a dynamic import (serve --state never needs it)', () => {
    // The files the entry loads up front: itself and the chunks it imports statically, transitively.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import [^;]*?from "(\.\/[^"]+)";?$/gm)) visit(join(dirname(file), m[1]!));
    };
    visit(entry);
    expect(loaded.size).toBeGreaterThan(1);
    const staticImports = [...loaded].flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^import [^;]*?from "([^"]+)";?$/gm)].map((m) => m[1]));
    expect(staticImports).toContain('fastify');
    expect(staticImports).not.toContain('@kubernetes/client-node');
  });
});
