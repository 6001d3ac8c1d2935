// The kubeconfig shape kuma-cni reads directly (install-cni's, Kuma's golden)
// and the ones it leaves to client-node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { simpleKubeconfig } from './kubeconfig.ts';

const kubeconfig = (cluster: object, user: object) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster }],
    users: [{ name: 'kuma-cni', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'local', user: 'kuma-cni' } }],
    'current-context': 'ctx',
  });

describe('simpleKubeconfig', () => {
  it.skipIf(missingConformance('install-cni'))("reads Kuma's install-cni kubeconfig (golden) directly", () => {
    const text = readFileSync(join(conformanceDir(), 'install-cni', 'prepare-kubeconfig', 'ZZZ-kuma-cni-kubeconfig.golden'), 'utf8');
    expect(simpleKubeconfig(text)).toEqual({ server: 'https://localhost:3000', ca: Buffer.from('cert'), insecure: false, tlsServerName: undefined, token: 'abc' });
  });

  it('leaves everything else to client-node', () => {
    const server = 'https://10.0.0.1:6443';
    expect(simpleKubeconfig(kubeconfig({ server }, { token: 't' }))).toMatchObject({ server, token: 't' });
    expect(simpleKubeconfig(kubeconfig({ server }, { exec: { command: 'x' } }))).toBeUndefined();
    expect(simpleKubeconfig(kubeconfig({ server }, { 'client-certificate-data': 'eA==' }))).toBeUndefined();
    expect(simpleKubeconfig(kubeconfig({ server, 'proxy-url': 'http://p' }, { token: 't' }))).toBeUndefined();
    expect(simpleKubeconfig(kubeconfig({ server: 'ftp://x' }, { token: 't' }))).toBeUndefined();
    expect(simpleKubeconfig('current-context: nowhere\n')).toBeUndefined();
    expect(simpleKubeconfig('{')).toBeUndefined();
  });
});
