// `kuma-injector check` against a STAND-IN API server on loopback (the real
// one cannot run here; test-support/webhook/stand-in-api-server.ts) and a real
// TLS server on loopback as the webhook pod behind the Service's endpoints:
// a healthy installation passes, and each broken one fails with its hint.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSigned, type SelfSignedCertificates } from '../tls/self-signed.ts';
import { StandInApiServer, type StandInObject } from '../../test-support/webhook/stand-in-api-server.ts';
import { runCheck } from './check.ts';
import { runCli } from './program.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-check-'));
let certificates: SelfSignedCertificates;
let otherCa: SelfSignedCertificates;
let webhookPod: Server;
let podPort: number;
beforeAll(async () => {
  certificates = await generateSelfSigned({ dnsNames: ['kuma-injector.kuma-system.svc'] });
  otherCa = await generateSelfSigned({ dnsNames: ['kuma-injector.kuma-system.svc'] });
  // The webhook pod: what matters here is the certificate it serves.
  webhookPod = createServer({ cert: certificates.serving.cert, key: certificates.serving.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => webhookPod.listen(0, '127.0.0.1', resolve));
  podPort = (webhookPod.address() as AddressInfo).port;
});
afterAll(() => {
  webhookPod.close();
  rmSync(dir, { recursive: true, force: true });
});

let standIn: StandInApiServer;
afterEach(() => standIn?.close());

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const enabled = ['enabled', 'true', 'yes'];
const exclusions = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kuma-system'] };
const podRules = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }];

/** The chart's two webhooks for service kuma-system/kuma-injector, with this caBundle. */
function injectorWebhooks(caBundle: string): StandInObject {
  const clientConfig = { service: { name: 'kuma-injector', namespace: 'kuma-system', path: '/inject-sidecar', port: 443 }, caBundle };
  return {
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'kuma-injector-kuma-system' },
    webhooks: [
      { name: 'namespace-kuma-injector.kuma.io', clientConfig, rules: podRules, namespaceSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'In', values: enabled }, exclusions] } },
      {
        name: 'pods-kuma-injector.kuma.io',
        clientConfig,
        rules: podRules,
        namespaceSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'Exists' }, exclusions] },
        objectSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'In', values: enabled }] },
      },
    ],
  };
}

/** A healthy installation; `change` breaks one thing. */
async function cluster(change: (objects: Map<string, StandInObject>) => void = () => {}): Promise<string> {
  standIn = await StandInApiServer.start();
  const objects = new Map<string, StandInObject>([
    ['ns/kube-system', { kind: 'Namespace', metadata: { name: 'kube-system' } }],
    ['ns/kuma-system', { kind: 'Namespace', metadata: { name: 'kuma-system' } }],
    ['ns/shop', { kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } }],
    ['service', { kind: 'Service', metadata: { name: 'kuma-injector', namespace: 'kuma-system' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 9443 }] } }],
    [
      'endpoints',
      { kind: 'Endpoints', metadata: { name: 'kuma-injector', namespace: 'kuma-system' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: podPort }] }] },
    ],
    ['secret', { kind: 'Secret', metadata: { name: 'kuma-injector-tls', namespace: 'kuma-system' }, data: { 'tls.crt': b64(certificates.serving.cert), 'ca.crt': b64(certificates.caCert) } }],
    ['webhooks', injectorWebhooks(b64(certificates.caCert))],
  ]);
  change(objects);
  for (const object of objects.values()) standIn.put(object);
  const kubeconfig = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  writeFileSync(kubeconfig, standIn.kubeconfigYaml());
  return kubeconfig;
}

const check = async (kubeconfig: string) => runCheck({ kubeconfig, namespace: 'kuma-system', service: 'kuma-injector', tlsSecret: 'kuma-injector-tls' });

describe('kuma-injector check (STAND-IN API server)', () => {
  it('passes for a healthy installation, having compared the caBundle with the certificate the pod serves', async () => {
    const { text, ok } = await check(await cluster());
    expect(text).not.toContain('×');
    expect(ok).toBe(true);
    expect(text).toContain('√ namespace-kuma-injector.kuma.io: caBundle verifies the serving certificate for kuma-injector.kuma-system.svc');
    expect(text).toContain('√ service kuma-system/kuma-injector has 1 ready endpoint(s)');
    expect(text).toContain("√ kuma-cp's injector is not registered");
    expect(text).toContain('√ namespaces injected as a whole: shop');
    expect(text).toContain('Status check results are √');
    // Read-only: every request was a list.
    expect(standIn.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it("falls back to the Secret's certificate when the pods cannot be reached from here", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const kubeconfig = await cluster((o) =>
      o.set('endpoints', { kind: 'Endpoints', metadata: { name: 'kuma-injector', namespace: 'kuma-system' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: closedPort }] }] }),
    );
    const { text, ok } = await check(kubeconfig);
    expect(text).toContain('√ namespace-kuma-injector.kuma.io: caBundle verifies the serving certificate');
    expect(ok).toBe(true);
    const wrong = await check(await cluster((o) => {
      o.set('endpoints', { kind: 'Endpoints', metadata: { name: 'kuma-injector', namespace: 'kuma-system' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: closedPort }] }] });
      o.set('webhooks', injectorWebhooks(b64(otherCa.caCert)));
    }));
    expect(wrong.text).toContain('the certificate in Secret kuma-system/kuma-injector-tls (the pods could not be reached from here) is not signed by a CA of the caBundle');
  });

  it('fails on a caBundle that did not sign the served certificate', async () => {
    const { text, ok } = await check(await cluster((o) => o.set('webhooks', injectorWebhooks(b64(otherCa.caCert)))));
    expect(ok).toBe(false);
    expect(text).toMatch(/× namespace-kuma-injector\.kuma\.io: the certificate served by 127\.0\.0\.1:\d+ is not signed by a CA of the caBundle/);
    expect(text).toContain('hint: the API server will refuse the TLS handshake');
  });

  it('fails when the service has no ready endpoints', async () => {
    const kubeconfig = await cluster((o) =>
      o.set('endpoints', { kind: 'Endpoints', metadata: { name: 'kuma-injector', namespace: 'kuma-system' }, subsets: [{ notReadyAddresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: podPort }] }] }),
    );
    const { text, ok } = await check(kubeconfig);
    expect(ok).toBe(false);
    expect(text).toContain('× service kuma-system/kuma-injector has no ready endpoints (1 not ready)');
    expect(text).toContain('hint: no webhook pod is ready');
  });

  it("fails while kuma-cp's own injector is still registered", async () => {
    const kumaCp = injectorWebhooks(b64(certificates.caCert)) as { webhooks: { clientConfig: { service: { name: string } } }[] } & StandInObject;
    kumaCp.metadata = { name: 'kuma-admission-mutating-webhook-configuration' };
    for (const webhook of kumaCp.webhooks) webhook.clientConfig = { ...webhook.clientConfig, service: { ...webhook.clientConfig.service, name: 'kuma-control-plane' } };
    const { text, ok } = await check(await cluster((o) => o.set('kuma-cp', kumaCp)));
    expect(ok).toBe(false);
    expect(text).toContain('× another injector is active: kuma-admission-mutating-webhook-configuration/namespace-kuma-injector.kuma.io sends Pod CREATE to kuma-system/kuma-control-plane');
    expect(text).toContain("hint: kuma-cp's own injector");
  });

  it('fails on a typo in a namespace label', async () => {
    const kubeconfig = await cluster((o) => o.set('ns/typo', { kind: 'Namespace', metadata: { name: 'payments', labels: { 'kuma.io/sidecar-injection': 'enbaled' } } }));
    const { text, ok } = await check(kubeconfig);
    expect(ok).toBe(false);
    expect(text).toContain('× namespace payments has kuma.io/sidecar-injection=enbaled: did you mean enabled?');
  });

  it('fails when no webhook calls the injector, and when the selectors would send its own pods to it', async () => {
    const open = injectorWebhooks(b64(certificates.caCert)) as { webhooks: { namespaceSelector?: unknown }[] } & StandInObject;
    for (const webhook of open.webhooks) delete webhook.namespaceSelector;
    const { text } = await check(await cluster((o) => o.set('webhooks', open)));
    expect(text).toContain('would be called for pods of namespace kuma-system');
    const kumaStyle = injectorWebhooks(b64(certificates.caCert)) as { webhooks: { namespaceSelector?: { matchExpressions: { values?: string[] }[] } }[] } & StandInObject;
    kumaStyle.webhooks[0]!.namespaceSelector!.matchExpressions[0]!.values = ['enabled', 'true'];
    const narrow = await check(await cluster((o) => o.set('webhooks', kumaStyle)));
    expect(narrow.text).toContain('× namespaces labelled kuma.io/sidecar-injection=yes never reach the injector, which reads that value as enabled');
    const none = await check(await cluster((o) => o.delete('webhooks')));
    expect(none.text).toContain('× no webhook for Pod CREATE at /inject-sidecar calls service kuma-system/kuma-injector');
  });
});

describe('kuma-injector check exit codes', () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kuma-injector.js');

  it('exits 1 when a check fails (a real process)', async () => {
    const kubeconfig = await cluster((o) => o.set('webhooks', injectorWebhooks(b64(otherCa.caCert))));
    // The stand-in runs in this process: spawn asynchronously so it keeps answering.
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'check', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toContain('Status check results are ×');
    expect(code).toBe(1);
  });

  it('exits 2 when the cluster cannot be read', () => {
    const run = spawnSync(process.execPath, [bin, 'check', '--kubeconfig', join(dir, 'missing')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--kubeconfig ${join(dir, 'missing')}: cannot read: no such file`);
  });

  it('exits 2 when the API server does not answer', async () => {
    standIn = await StandInApiServer.start();
    const kubeconfig = join(dir, 'gone');
    writeFileSync(kubeconfig, standIn.kubeconfigYaml());
    await standIn.close();
    expect(await runCli(['check', '--kubeconfig', kubeconfig])).toBe(2);
  });
});
