// The agent's file primitives: writes land whole with the mode asked for and
// leave no temporary file; reads stop past the size limit.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileAtomic, readTextIfExists, writeFileAtomic } from './atomic-file.ts';
import { MAX_CONFIG_BYTES } from './go-json.ts';

describe('atomic files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a file with the mode asked for, whatever the old mode and the umask, and leaves nothing else', async () => {
    const path = join(dir, '10-x.conflist');
    writeFileSync(path, 'old', { mode: 0o644 });
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(path, 'new', 0o640);
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['10-x.conflist']);
    await copyFileAtomic(path, join(dir, 'kuma-cni'), 0o755);
    expect(statSync(join(dir, 'kuma-cni')).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir).sort()).toEqual(['10-x.conflist', 'kuma-cni']);
  });

  it('leaves the target untouched and no temporary file when the write fails', async () => {
    const path = join(dir, 'missing-dir', 'file');
    await expect(writeFileAtomic(path, 'x', 0o600)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads at most one byte past the limit, and undefined for a missing file', async () => {
    writeFileSync(join(dir, 'big'), 'x'.repeat(MAX_CONFIG_BYTES * 2));
    expect((await readTextIfExists(join(dir, 'big')))?.length).toBe(MAX_CONFIG_BYTES + 1);
    writeFileSync(join(dir, 'small'), '{}');
    expect(await readTextIfExists(join(dir, 'small'))).toBe('{}');
    expect(await readTextIfExists(join(dir, 'none'))).toBeUndefined();
  });
});
