// The webhook image's program: webhook/cli/main.ts bundled by esbuild into
// plain ESM, so production runs no TypeScript loader. tsx (the dev and test
// runner) costs the server about 20 MB of RSS and some throughput
// (docs/benchmarks.md). npm packages stay external (node_modules ships in the
// image); dynamic imports stay separate chunks, so `serve --state` still does
// not load @kubernetes/client-node.
//   npm run build:webhook  →  dist/webhook/kuma-injector.mjs
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The entry file of the bundle written to `outdir`. */
export async function bundleWebhook(outdir: string): Promise<string> {
  await build({
    entryPoints: { 'kuma-injector': join(repo, 'webhook', 'cli', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return join(outdir, 'kuma-injector.mjs');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await bundleWebhook(join(repo, 'dist', 'webhook')));
}
