// Renders charts/kuma-injector with a real helm, for the chart tests: plain
// `helm template`, or against a (stand-in) API server so that the chart's
// `lookup`s run (`--dry-run=server`).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { missingTools, toolPath } from '../test-support/environment.ts';
import { parseKubeYaml, type KubeDoc } from '../test-support/kube-objects.ts';

export const chart = join(dirname(fileURLToPath(import.meta.url)), 'kuma-injector');
export const noHelm = missingTools('helm') && `${missingTools('helm')} (run .ci/install-helm.sh)`;

export function helm(...args: string[]): string {
  return execFileSync(toolPath('helm')!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const setFlags = (set: string[]): string[] => set.flatMap((s) => ['--set', s]);

/** `helm template kuma` in `namespace` with `--set` values. */
export function renderIn(namespace: string, ...set: string[]): KubeDoc[] {
  return parseKubeYaml(helm('template', 'kuma', chart, '--namespace', namespace, ...setFlags(set)));
}

/** `helm template kuma` in kuma-system with `--set` values. */
export function render(...set: string[]): KubeDoc[] {
  return renderIn('kuma-system', ...set);
}

/** stderr of a render that must fail. */
export function renderErrorIn(namespace: string, ...set: string[]): string {
  try {
    renderIn(namespace, ...set);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error('render succeeded');
}

export function renderError(...set: string[]): string {
  return renderErrorIn('kuma-system', ...set);
}

/**
 * `helm template --dry-run=server` against the API server of `kubeconfigYaml`:
 * helm's `lookup` reads from it. Asynchronous, so that a stand-in in this
 * process can answer.
 */
export async function renderAgainst(kubeconfigYaml: string, ...set: string[]): Promise<KubeDoc[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-injector-helm-'));
  try {
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml, { mode: 0o600 });
    const args = ['template', 'kuma', chart, '--namespace', 'kuma-system', '--dry-run=server', '--disable-openapi-validation', ...setFlags(set)];
    const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config') };
    const { stdout } = await promisify(execFile)(toolPath('helm')!, args, { encoding: 'utf8', env });
    return parseKubeYaml(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
