// The STAND-IN API server speaks TLS only, and its clients trust it through
// the CA in its kubeconfig alone: were it plain HTTP again, or its kubeconfig
// to skip verification, the tests run against it would no longer take the
// clients' TLS path.
import { connect } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInApiServer } from './stand-in-api-server.ts';

type KubeconfigDoc = { clusters: [{ cluster: Record<string, unknown> }] };

describe('StandInApiServer over TLS', () => {
  let standIn: StandInApiServer;
  let other: StandInApiServer;
  beforeAll(async () => {
    [standIn, other] = await Promise.all([StandInApiServer.start(), StandInApiServer.start()]);
    standIn.put({ kind: 'Namespace', metadata: { name: 'shop' } });
  });
  afterAll(async () => {
    await Promise.all([standIn.close(), other.close()]);
  });

  it('answers a client that trusts the CA of its kubeconfig', async () => {
    const list = await standIn.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['shop']);
    expect(new URL(standIn.url).protocol).toBe('https:');
  });

  it("is refused by a client that trusts another stand-in's CA, before any request reaches it", async () => {
    expect(other.caCert).not.toBe(standIn.caCert);
    const doc = parse(standIn.kubeconfigYaml()) as KubeconfigDoc;
    doc.clusters[0].cluster['certificate-authority-data'] = (parse(other.kubeconfigYaml()) as KubeconfigDoc).clusters[0].cluster['certificate-authority-data'];
    const misconfigured = new KubeConfig();
    misconfigured.loadFromString(stringify(doc));
    const before = standIn.requestCount();
    await expect(misconfigured.makeApiClient(CoreV1Api).listNamespace()).rejects.toThrow(/certificate/);
    expect(standIn.requestCount()).toBe(before);
  });

  it('gives no HTTP answer to plain HTTP', async () => {
    const { port } = new URL(standIn.url);
    // A reset counts as no answer, as does a close.
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET /api/v1/namespaces HTTP/1.1\r\nHost: stand-in\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).not.toMatch(/^HTTP\//);
  });
});
