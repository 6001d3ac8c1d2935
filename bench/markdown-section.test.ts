import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceSection } from './markdown-section.ts';

const dir = mkdtempSync(join(tmpdir(), `bench-md-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceSection', () => {
  it('creates the file with a title when it is missing', () => {
    const file = join(dir, 'new.md');
    replaceSection(file, 'Webhook admission', 'first');
    expect(readFileSync(file, 'utf8')).toBe('# Benchmarks\n\n## Webhook admission\n\nfirst\n');
  });

  it('rewrites only its own section, keeping the sections around it', () => {
    const file = join(dir, 'shared.md');
    writeFileSync(file, '# Benchmarks\n\n## Webhook admission\n\nold\n\n### detail\n\nold too\n\n## Webhook admission: notes\n\nkept\n\n## kuma-init\n\ntheirs\n');
    replaceSection(file, 'Webhook admission', 'new');
    expect(readFileSync(file, 'utf8')).toBe('# Benchmarks\n\n## Webhook admission\n\nnew\n\n## Webhook admission: notes\n\nkept\n\n## kuma-init\n\ntheirs\n');
  });

  it('appends the section after the others when absent', () => {
    const file = join(dir, 'other.md');
    writeFileSync(file, '# Benchmarks\n\n## kuma-init\n\ntheirs\n');
    replaceSection(file, 'Webhook admission', 'mine');
    expect(readFileSync(file, 'utf8')).toBe('# Benchmarks\n\n## kuma-init\n\ntheirs\n\n## Webhook admission\n\nmine\n');
  });
});
