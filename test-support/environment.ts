// Where tests find external things (Kuma's conformance data, root-only tools),
// and how they react when those are missing: skip with a visible message on a
// developer's machine, fail in CI, where everything must be present.
import { accessSync, constants, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Kuma 2.13.10 conformance data: $KUMA_CONFORMANCE_DIR or ../shared/conformance/kuma-2.13.10. */
export function conformanceDir(): string {
  const base = process.env.KUMA_CONFORMANCE_DIR ?? join(repoRoot, '..', 'shared', 'conformance');
  return existsSync(join(base, 'kuma-2.13.10')) ? join(base, 'kuma-2.13.10') : base;
}

/**
 * Returns the reason a requirement is unmet, or undefined when it is met.
 * In CI an unmet requirement throws, so a missing tool fails the run instead of skipping it.
 */
function gate(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  if (inCI) throw new Error(`required in CI: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return reason;
}

/** Skip reason when the conformance folder (or one of its sub-folders) is absent. */
export function missingConformance(sub = ''): string | undefined {
  const dir = join(conformanceDir(), sub);
  return gate(existsSync(dir) ? undefined : `Kuma conformance data not found at ${dir} (set KUMA_CONFORMANCE_DIR)`);
}

/** Full path of an executable on PATH, in the sbin dirs, or in the repo's `.tools/bin` (tools .ci installs). */
export function toolPath(tool: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', join(repoRoot, '.tools', 'bin')]);
  for (const dir of dirs) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const onPath = (tool: string): boolean => toolPath(tool) !== undefined;

/** Skip reason when not root or when one of the tools is missing. */
export function missingRootTools(...tools: string[]): string | undefined {
  if (process.getuid?.() !== 0) return gate('needs root (network namespaces, iptables)');
  const absent = tools.filter((t) => !onPath(t));
  return gate(absent.length ? `missing tools: ${absent.join(', ')}` : undefined);
}

/** Skip reason when a plain (non-root) tool is missing. */
export function missingTools(...tools: string[]): string | undefined {
  const absent = tools.filter((t) => !onPath(t));
  return gate(absent.length ? `missing tools: ${absent.join(', ')}` : undefined);
}

/** True when a Docker engine answers; e2e tests against kind skip otherwise (also in CI). */
export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Skip reason when one of these files (e.g. the reference CNI plugins in /usr/lib/cni) is missing. */
export function missingFiles(...paths: string[]): string | undefined {
  const absent = paths.filter((p) => !existsSync(p));
  return gate(absent.length ? `missing files: ${absent.join(', ')}` : undefined);
}
