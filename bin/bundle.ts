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
// - kuma-cni (nodes, via install-cni): a Node single-executable application,
//   because the plugin runs on nodes without Node.js: one CommonJS bundle
//   (SEA runs CommonJS only) with its V8 code cache, put into a copy of this
//   node binary with postject (docs/cni.md "Build").
//   npm run build  →  dist/webhook/kuma-injector.mjs, dist/init/kuma-init.mjs, dist/cni/install-cni.mjs, dist/cni/kuma-cni
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Every program's entry points (kuma-cni's second one is its client-node asset). */
export const ENTRY_POINTS = {
  'kuma-injector': [join(repo, 'webhook', 'cli', 'main.ts')],
  'kuma-init': [join(repo, 'init', 'cli', 'main.ts')],
  'install-cni': [join(repo, 'init', 'install-cni', 'main.ts')],
  'kuma-cni': [join(repo, 'init', 'cni', 'main.ts'), join(repo, 'init', 'cni', 'client-node-kubeconfig.ts')],
} as const;
/** The programs bundled as ESM files; kuma-cni is the single executable (buildCniExecutable). */
export type Program = Exclude<keyof typeof ENTRY_POINTS, 'kuma-cni'>;
/** The programs each image carries (bin/dockerfiles.test.ts holds each build stage to their sources). */
export const IMAGES = { 'webhook/Dockerfile': ['kuma-injector'], 'init/Dockerfile': ['kuma-init'], 'cni/Dockerfile': ['install-cni', 'kuma-cni'] } as const;

/** The fuse postject flips so node runs the injected blob (Node 20's value). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const common: BuildOptions = { bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };

/** Builds one program into `outdir`; returns the path of its entry file. */
export async function bundleProgram(program: Program, outdir: string): Promise<string> {
  const entry = join(outdir, `${program}.mjs`);
  if (program === 'kuma-injector') {
    await build({
      ...common,
      entryPoints: { 'kuma-injector': ENTRY_POINTS['kuma-injector'][0] },
      outdir,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      packages: 'external',
    });
    return entry;
  }
  await build({
    ...common,
    entryPoints: [ENTRY_POINTS[program][0]],
    outfile: entry,
    // CommonJS packages inside an ESM bundle require node's builtins at run time.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);" },
  });
  chmodSync(entry, 0o755); // /usr/bin/kumactl and /install-cni link to them
  return entry;
}

/**
 * Optional native add-ons of ws and node-fetch (pulled in by @kubernetes/client-node), which their
 * packages `require` inside try/catch. In a single executable such a require prints a warning on
 * stderr; bundled as a module that throws, they are simply absent, as when not installed.
 */
const absentOptionalModules: Plugin = {
  name: 'absent-optional-modules',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|encoding)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({ contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled`)});`, loader: 'js' }));
  },
};

/** The single executable's asset holding @kubernetes/client-node's path (init/cni/client-node-kubeconfig.ts). */
const CLIENT_NODE_ASSET = 'client-node-kubeconfig.cjs';

/**
 * In the single executable, init/cni/client-node-kubeconfig.ts (and with it @kubernetes/client-node,
 * about 1 MB of the 1.2 MB bundle) is not part of the main script but an asset compiled on first use.
 * Why: every plugin call (ADD, DEL, CHECK, VERSION) compiles the main script, which then costs about 8 ms
 * more on this machine, while only kubeconfigs that are not install-cni's simple shape need client-node
 * (init/cni/kube-client.ts). The module imports nothing else of ours, so the asset is self-contained.
 */
const clientNodeFromAsset: Plugin = {
  name: 'client-node-from-asset',
  setup(b) {
    b.onResolve({ filter: /\/client-node-kubeconfig\.ts$/ }, (args) => ({ path: args.path, namespace: 'sea-asset' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-asset' }, () => ({
      loader: 'js',
      contents: [
        "const { getAsset } = require('node:sea');",
        "const { Script } = require('node:vm');",
        `const source = getAsset(${JSON.stringify(CLIENT_NODE_ASSET)}, 'utf8');`,
        `const wrapper = new Script('(function (exports, require, module) {' + source + '\\n})', { filename: ${JSON.stringify(CLIENT_NODE_ASSET)} }).runInThisContext();`,
        'const loaded = { exports: {} };',
        'wrapper(loaded.exports, require, loaded);',
        'module.exports = loaded.exports;',
      ].join('\n'),
    }));
  },
};

/** Builds the kuma-cni single executable into `outdir`; returns its path. */
export async function buildCniExecutable(outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const script = join(outdir, 'kuma-cni.cjs');
  const cjs: BuildOptions = { ...common, sourcemap: false, minify: true, format: 'cjs', plugins: [absentOptionalModules] };
  const asset = join(outdir, CLIENT_NODE_ASSET);
  const [main, clientNode] = ENTRY_POINTS['kuma-cni'];
  await build({ ...cjs, entryPoints: [clientNode], outfile: asset });
  await build({ ...cjs, entryPoints: [main], outfile: script, plugins: [absentOptionalModules, clientNodeFromAsset] });
  const blob = join(outdir, 'kuma-cni.blob');
  const seaConfig = join(outdir, 'sea-config.json');
  const sea = { main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets: { [CLIENT_NODE_ASSET]: asset } };
  writeFileSync(seaConfig, JSON.stringify(sea));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' });
  const executable = join(outdir, 'kuma-cni');
  copyFileSync(process.execPath, executable);
  execFileSync(process.execPath, [join(repo, 'node_modules', 'postject', 'dist', 'cli.js'), executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], {
    stdio: 'pipe',
  });
  chmodSync(executable, 0o755);
  return executable;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await bundleProgram('kuma-injector', join(repo, 'dist', 'webhook')));
  console.log(await bundleProgram('kuma-init', join(repo, 'dist', 'init')));
  console.log(await bundleProgram('install-cni', join(repo, 'dist', 'cni')));
  console.log(await buildCniExecutable(join(repo, 'dist', 'cni')));
}
