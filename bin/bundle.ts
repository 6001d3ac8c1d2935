// The images' programs: the CLIs bundled by esbuild into plain ESM, so
// production runs no TypeScript loader (tsx costs each start about 0.2 s and
// 30 MB of anonymous memory; docs/benchmarks.md).
// - kuma-injector (webhook image): npm packages stay external (node_modules
//   ships in the image) and dynamic imports stay chunks, so `serve --state`
//   never loads @kubernetes/client-node.
// - kuma-init (init image): one self-contained file, no node_modules: it runs
//   in every meshed pod under Kuma's kuma-init limits (cpu 100m, memory 50M).
// - install-cni (CNI image): self-contained the same way; the Kubernetes
//   client it loads for the race repair is inside the one file.
//   npm run build  →  dist/webhook/kuma-injector.mjs, dist/init/kuma-init.mjs, dist/cni/install-cni.mjs
import { chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

export type Program = 'kuma-injector' | 'kuma-init' | 'install-cni';

/** Entry points of the self-contained programs. */
const selfContained: Record<Exclude<Program, 'kuma-injector'>, string> = {
  'kuma-init': join(repo, 'init', 'cli', 'main.ts'),
  'install-cni': join(repo, 'init', 'install-cni', 'main.ts'),
};

const common: BuildOptions = { bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };

/** Builds one program into `outdir`; returns the path of its entry file. */
export async function bundleProgram(program: Program, outdir: string): Promise<string> {
  const entry = join(outdir, `${program}.mjs`);
  if (program === 'kuma-injector') {
    await build({
      ...common,
      entryPoints: { 'kuma-injector': join(repo, 'webhook', 'cli', 'main.ts') },
      outdir,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      packages: 'external',
    });
    return entry;
  }
  await build({
    ...common,
    entryPoints: [selfContained[program]],
    outfile: entry,
    // CommonJS packages inside an ESM bundle require node's builtins at run time.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);" },
  });
  chmodSync(entry, 0o755); // /usr/bin/kumactl and /install-cni link to them
  return entry;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await bundleProgram('kuma-injector', join(repo, 'dist', 'webhook')));
  console.log(await bundleProgram('kuma-init', join(repo, 'dist', 'init')));
  console.log(await bundleProgram('install-cni', join(repo, 'dist', 'cni')));
}
