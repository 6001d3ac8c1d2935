// Rewrites one "## <title>" section of a Markdown file in place, leaving the
// other sections (written by other benchmarks) untouched.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function replaceSection(file: string, title: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const lines = text.split('\n');
  const heading = `## ${title}`;
  const start = lines.findIndex((l) => l.trim() === heading);
  const section = [heading, '', body.trimEnd(), ''];
  if (start === -1) {
    const head = lines.join('\n').trimEnd();
    writeFileSync(file, `${head}\n\n${section.join('\n')}`);
    return;
  }
  const next = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const end = next === -1 ? lines.length : next;
  const tail = lines.slice(end);
  writeFileSync(file, [...lines.slice(0, start), ...section, ...tail].join('\n').replace(/\n*$/, '\n'));
}
