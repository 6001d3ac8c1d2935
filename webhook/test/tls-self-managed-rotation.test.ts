// A CA rotation while the webhook is under load, with the API server a
// STAND-IN on loopback: 16 autocannon connections that reconnect (new
// handshakes all along), and probers that verify the served certificate
// against the caBundle as it stands in the stand-in at that moment, as the API
// server does. No admission may fail, and the caBundle must trust the new CA
// before it is served, and keep the old CA until the new certificate is served.
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import autocannon from 'autocannon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { testServer } from '../../test-support/webhook/http-fixtures.ts';
import { StandInApiServer } from '../../test-support/webhook/stand-in-api-server.ts';
import { kubernetesCertificateApi, SelfManagedTls } from '../tls/self-managed/index.ts';

const objects = { namespace: 'kuma-system', secretName: 'kuma-injector-tls', webhookConfigurationName: 'kuma-admission-injector-kuma-system' };
const service = 'kuma-injector.kuma-system.svc';
const body = JSON.stringify(podAdmissionReview(samplePod()));

const certificatesIn = (bundlePem: string): X509Certificate[] =>
  (bundlePem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));

interface BundleChange {
  at: number;
  cas: string[];
}

describe('self-managed TLS: CA rotation under load (stand-in API server)', () => {
  let standIn: StandInApiServer;
  let tls: SelfManagedTls;
  let app: Awaited<ReturnType<typeof testServer>>;
  let port: number;
  const bundleChanges: BundleChange[] = [];
  let stopWatching: () => void;

  beforeEach(async () => {
    standIn = await StandInApiServer.start();
    standIn.put({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: objects.webhookConfigurationName },
      webhooks: ['namespace-kuma-injector.kuma.io', 'pods-kuma-injector.kuma.io'].map((name) => ({ name, clientConfig: { service: { name: 'kuma-injector', namespace: 'kuma-system', path: '/inject-sidecar', port: 443 } } })),
    });
    stopWatching = standIn.onObjectChange((_type, object) => {
      if (object.kind !== 'MutatingWebhookConfiguration') return;
      const webhooks = object.webhooks as { clientConfig: { caBundle?: string } }[];
      bundleChanges.push({ at: performance.now(), cas: certificatesIn(Buffer.from(webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString()).map((c) => c.fingerprint256) });
    });
    tls = await SelfManagedTls.start({
      api: kubernetesCertificateApi(standIn.kubeConfig(), objects),
      dnsNames: [service],
      resyncMs: 100,
      policy: { propagationMs: 300, overlapMs: 600 },
    });
    app = await testServer({ tls });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterEach(async () => {
    stopWatching();
    tls.close();
    await app.close();
    await standIn.close();
  });

  /** The caBundle the API server would use now: every webhook's, which must agree. */
  function trustedNow(): string {
    const configuration = standIn.get('MutatingWebhookConfiguration', objects.webhookConfigurationName) as unknown as { webhooks: { clientConfig: { caBundle?: string } }[] };
    const bundles = new Set(configuration.webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString()));
    if (bundles.size !== 1) throw new Error('the webhooks of the configuration trust different CAs');
    return [...bundles][0]!;
  }

  /** One admission on a new connection that trusts exactly the current caBundle; resolves to the served certificate. */
  function admitAsApiServer(): Promise<X509Certificate> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, servername: service, path: '/inject-sidecar', method: 'POST', ca: trustedNow(), agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          const leaf = new X509Certificate((res.socket as TLSSocket).getPeerCertificate().raw);
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(leaf) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('loses no admission, and the old CA leaves the caBundle only after the new certificate is served', async () => {
    const oldCa = certificatesIn(trustedNow())[0]!;
    const served: { at: number; cert: string }[] = [];
    tls.onChange((pair) => served.push({ at: performance.now(), cert: pair.cert }));

    const load = autocannon({
      url: `https://127.0.0.1:${port}/inject-sidecar`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 16,
      reconnectRate: 25,
      servername: service,
      duration: 6,
    });

    let probing = true;
    const probeFailures: unknown[] = [];
    const leavesSeen: X509Certificate[] = [];
    const probe = async () => {
      while (probing) {
        try {
          leavesSeen.push(await admitAsApiServer());
        } catch (error) {
          probeFailures.push(error);
        }
      }
    };
    const probes = Promise.all([probe(), probe()]);

    await new Promise((r) => setTimeout(r, 500));
    await tls.rotateCa();
    // Done when the caBundle holds one CA again, and it is not the old one.
    const deadline = Date.now() + 4_000;
    while (Date.now() < deadline) {
      const cas = certificatesIn(trustedNow());
      if (cas.length === 1 && cas[0]!.fingerprint256 !== oldCa.fingerprint256) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const rotatedAt = performance.now();
    const result = await load;
    const loadEndedAt = performance.now();
    probing = false;
    await probes;

    const newCa = certificatesIn(trustedNow())[0]!;
    expect(newCa.fingerprint256).not.toBe(oldCa.fingerprint256);
    expect(rotatedAt).toBeLessThan(loadEndedAt - 500); // the load outlasted the rotation

    // The ordering, from the stand-in's own record of the configuration.
    const newTrusted = bundleChanges.find((c) => c.cas.includes(newCa.fingerprint256));
    const newServed = served.find((s) => new X509Certificate(s.cert).checkIssued(newCa));
    const oldDropped = bundleChanges.find((c) => newTrusted && c.at > newTrusted.at && !c.cas.includes(oldCa.fingerprint256));
    expect(newTrusted && newServed && oldDropped).toBeTruthy();
    expect(newTrusted!.at).toBeLessThan(newServed!.at);
    expect(oldDropped!.at).toBeGreaterThan(newServed!.at);
    // Between those two moments both CAs were trusted.
    expect(bundleChanges.filter((c) => c.at > newTrusted!.at && c.at < oldDropped!.at).every((c) => c.cas.includes(oldCa.fingerprint256) && c.cas.includes(newCa.fingerprint256))).toBe(true);

    // No admission lost: neither the 16 reconnecting connections nor the verifying probers.
    expect(result.requests.average).toBeGreaterThan(0);
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({ errors: 0, timeouts: 0, non2xx: 0 });
    expect(probeFailures).toEqual([]);
    // The probers were served certificates of both CAs: they ran across the switch.
    expect(leavesSeen.some((leaf) => leaf.verify(oldCa.publicKey))).toBe(true);
    expect(leavesSeen.some((leaf) => leaf.verify(newCa.publicKey))).toBe(true);
  }, 30_000);
});
