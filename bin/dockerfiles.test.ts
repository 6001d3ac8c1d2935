// Each image's build stage copies every source folder its programs bundle:
// a folder left out (go-compat/ was, in cni/Dockerfile) fails `npm run build`
// only in the image build, which does not run here.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, IMAGES } from './bundle.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Top-level folders of the repository whose files the entry points bundle (npm packages come from npm ci). */
async function sourceFolders(entryPoints: readonly string[]): Promise<string[]> {
  const { metafile } = await build({ entryPoints: [...entryPoints], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, outdir: '/nowhere', metafile: true, logLevel: 'silent' });
  return [...new Set(Object.keys(metafile.inputs).map((input) => relative(repo, join(process.cwd(), input)).split('/')[0]!))].sort();
}

/** What the first (build) stage copies from the context, e.g. `go-compat` for `COPY go-compat ./go-compat`. */
function buildStageCopies(dockerfile: string): string[] {
  const buildStage = readFileSync(join(repo, dockerfile), 'utf8').split(/^FROM /m)[1] ?? '';
  return [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
}

describe('image build stages', () => {
  it.each(Object.entries(IMAGES))('%s copies every folder its programs bundle', async (dockerfile, programs) => {
    const needed = await sourceFolders(programs.flatMap((p) => ENTRY_POINTS[p]));
    expect(needed).toContain(programs[0] === 'kuma-injector' ? 'webhook' : 'init');
    expect(buildStageCopies(dockerfile)).toEqual(expect.arrayContaining([...needed, 'package.json', 'package-lock.json', 'tsconfig.json']));
  });
});
