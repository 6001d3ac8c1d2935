// What `serve` checks before it listens, with errors that name the flag and
// the file and say what to do. A StartupError ends `serve` with exit code 2
// (docs/webhook.md); a bad flag value is a usage error (1) and never gets here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { checkKeyPair, type KeyPair } from '../tls/index.ts';

export class StartupError extends Error {}

/** ENOENT and friends in words, without the syscall noise. */
export function fileProblem(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, not a file',
    ENOTDIR: 'a part of the path is not a directory',
  };
  return (code !== undefined && words[code]) || message;
}

/** Reads a file named by `flag`; a failure names both. */
export function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`${flag} ${path}: cannot read: ${fileProblem(error)}`);
  }
}

/**
 * The serving key pair as `serve` will use it: each file readable and PEM of
 * its kind, and the two belonging together (a TLS context builds from them).
 */
export function checkServingFiles(files: { certFile: string; keyFile: string }): KeyPair {
  const cert = readFlagFile('--tls-cert-file', files.certFile);
  const key = readFlagFile('--tls-key-file', files.keyFile);
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    throw new StartupError(`--tls-cert-file ${files.certFile}: no PEM certificate in the file (expected "-----BEGIN CERTIFICATE-----"); pass the serving certificate, e.g. tls.crt of the Secret`);
  }
  if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(key)) {
    throw new StartupError(`--tls-key-file ${files.keyFile}: no PEM private key in the file (expected "-----BEGIN PRIVATE KEY-----"); pass the serving key, e.g. tls.key of the Secret`);
  }
  try {
    return checkKeyPair({ cert, key });
  } catch (error) {
    throw new StartupError(
      `--tls-cert-file ${files.certFile} and --tls-key-file ${files.keyFile} are not a usable key pair (${(error as Error).message}); pass a certificate and the private key it was issued for`,
    );
  }
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The kubeconfig for watching the cluster: `--kubeconfig`, else $KUBECONFIG,
 * ~/.kube/config or the pod's service account. With none of them, client-node
 * would fall back to http://localhost:8080 and the watches would retry for
 * ever; that is a start-up error instead.
 */
export async function clusterConfig(kubeconfigPath: string | undefined): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('../state/kube-config.ts');
  if (kubeconfigPath !== undefined) {
    readFlagFile('--kubeconfig', kubeconfigPath);
    try {
      return loadKubeConfig({ kubeconfigPath });
    } catch (error) {
      throw new StartupError(`--kubeconfig ${kubeconfigPath}: ${(error as Error).message}`);
    }
  }
  const fromEnv = process.env.KUBECONFIG ?? '';
  const home = join(process.env.HOME ?? homedir(), '.kube', 'config');
  if (fromEnv === '' && !existsSync(home) && !existsSync(serviceAccountToken)) {
    throw new StartupError(
      `no kubeconfig: --kubeconfig not given, $KUBECONFIG unset, no ${home}, and not in a pod (no ${serviceAccountToken}). ` +
        'Pass --kubeconfig FILE to watch a cluster, or --state FILE (or --demo) to run without one',
    );
  }
  try {
    return loadKubeConfig({});
  } catch (error) {
    const from = fromEnv !== '' ? `$KUBECONFIG (${fromEnv})` : existsSync(home) ? home : 'the service account';
    throw new StartupError(`kubeconfig from ${from}: ${(error as Error).message}`);
  }
}
