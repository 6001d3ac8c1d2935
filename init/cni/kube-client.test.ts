// kube-client's failures before any request: a kubeconfig that cannot be read
// or that client-node cannot load is Kuma's "failed to create Kubernetes
// client" CNI error (fail closed), whichever path read it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CniError } from './errors.ts';
import { clientNodePodFetcher } from './kube-client.ts';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'kuma-cni-kubeconfig-')), 'kubeconfig');
  writeFileSync(path, text);
  return path;
};

const failure = (kubeconfig: string) => clientNodePodFetcher(kubeconfig).then(
  () => undefined,
  (error: unknown) => error,
);

describe('clientNodePodFetcher', () => {
  it.each([
    ['a missing file', join(tmpdir(), 'kuma-cni-no-such-dir', 'kubeconfig'), /ENOENT/],
    // Not install-cni's shape (a context without a matching cluster), so client-node loads it and refuses.
    ['a kubeconfig client-node refuses', file(stringify({ apiVersion: 'v1', kind: 'Config', contexts: [{ name: 'c', context: { cluster: 'absent', user: 'u' } }], 'current-context': 'c' })), /./],
    ['plain HTTP without skipping TLS verification', file(stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'l', cluster: { server: 'http://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'c', context: { cluster: 'l', user: 'u' } }], 'current-context': 'c' })), /HTTP protocol is not allowed/],
  ])('%s is a KUBE_CLIENT error', async (_case, kubeconfig, detail) => {
    const error = await failure(kubeconfig);
    expect(error).toBeInstanceOf(CniError);
    expect((error as CniError).id).toBe('KUBE_CLIENT');
    expect((error as CniError).message).toMatch(/^failed to get pod annotations: failed to create Kubernetes client: /);
    expect((error as CniError).message).toMatch(detail);
  });
});
