// The kubeconfig template kuma-cni reads directly (install-cni's, Kuma's
// golden) and the texts it leaves to client-node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { fillKubeconfig } from '../cni-contract/index.ts';
import { installCniKubeconfig } from './kubeconfig.ts';

/** The template filled in as install-cni fills it (init/test/cni-kubeconfig.test.ts runs install-cni's own writer). */
const written = (token: string, server = 'https://10.96.0.1:443') => fillKubeconfig({ server, ca: Buffer.from('the CA').toString('base64'), token });

describe('installCniKubeconfig', () => {
  it.skipIf(missingConformance('install-cni'))("reads Kuma's install-cni kubeconfig (golden)", () => {
    const text = readFileSync(join(conformanceDir(), 'install-cni', 'prepare-kubeconfig', 'ZZZ-kuma-cni-kubeconfig.golden'), 'utf8');
    expect(installCniKubeconfig(text)).toEqual({ server: 'https://localhost:3000', ca: Buffer.from('cert'), token: 'abc' });
  });

  it('reads the template for a JWT and an IPv6 server, with the blank line Kuma leaves after a token with a newline, and CRLF', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrdW1hIn0.c2ln-_x';
    expect(installCniKubeconfig(written(jwt))).toEqual({ server: 'https://10.96.0.1:443', ca: Buffer.from('the CA'), token: jwt });
    expect(installCniKubeconfig(written('t', 'https://[fd00::1]:443'))?.server).toBe('https://[fd00::1]:443');
    expect(installCniKubeconfig(written('t').replace('token: t\n', 'token: t\n\n'))?.token).toBe('t');
    expect(installCniKubeconfig(`${written('t').replace(/\n/g, '\r\n')}\r\n`)?.token).toBe('t');
  });

  it('leaves everything else to client-node', () => {
    const base = written('t');
    const yamlOf = (cluster: object, user: object) =>
      stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'local', cluster }], users: [{ name: 'kuma-cni', user }], contexts: [{ name: 'kuma-cni-context', context: { cluster: 'local', user: 'kuma-cni' } }], 'current-context': 'kuma-cni-context' });
    for (const other of [
      yamlOf({ server: 'https://10.0.0.1:6443' }, { exec: { command: 'x' } }),
      yamlOf({ server: 'https://10.0.0.1:6443', 'insecure-skip-tls-verify': true }, { token: 't' }),
      base.replace('https://', 'http://'),
      base.replace('token: t', 'token: "t"'),
      base.replace('token: t', 'token: t # a comment'),
      base.replace('    cluster: local', '    cluster: elsewhere'),
      base.replace('kind: Config', 'kind: Config\npreferences: {}'),
      `${base}\nusers: []`,
      base.split('\n').slice(1).join('\n').replace('apiVersion: v1\n', ''),
      'current-context: nowhere\n',
      '{',
      '',
    ]) {
      expect(installCniKubeconfig(other), other).toBeUndefined();
    }
  });
});
