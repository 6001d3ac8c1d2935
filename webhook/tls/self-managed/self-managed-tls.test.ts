// Self-managed mode against a STAND-IN API server on loopback (the real one
// cannot run here): the Secret is created once by racing replicas, the
// caBundle is patched to trust exactly the stored CA, restarts reuse the
// Secret, and a broken Secret or a mismatched key is repaired, never served.
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StandInApiServer } from '../../../test-support/webhook/stand-in-api-server.ts';
import { assertServable } from '../certificate-checks.ts';
import { kubernetesCertificateApi, parseSecretReference, SelfManagedTls, startSelfManagedTls } from './index.ts';
import type { CertificateApi, SelfManagedTlsOptions } from './index.ts';

const objects = { namespace: 'kuma-system', secretName: 'kuma-injector-tls', webhookConfigurationName: 'kuma-admission-injector-kuma-system' };
const webhookNames = ['namespace-kuma-injector.kuma.io', 'pods-kuma-injector.kuma.io'];

describe('self-managed TLS (stand-in API server)', () => {
  let standIn: StandInApiServer;
  let running: SelfManagedTls[];

  beforeEach(async () => {
    standIn = await StandInApiServer.start();
    running = [];
    standIn.put({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: objects.webhookConfigurationName },
      webhooks: webhookNames.map((name) => ({ name, clientConfig: { service: { name: 'kuma-injector', namespace: 'kuma-system', path: '/inject-sidecar', port: 443 } } })),
    });
  });
  afterEach(async () => {
    for (const tls of running) tls.close();
    await standIn.close();
  });

  async function replica(options: Partial<SelfManagedTlsOptions> = {}): Promise<SelfManagedTls> {
    const tls = await SelfManagedTls.start({
      api: kubernetesCertificateApi(standIn.kubeConfig(), objects),
      dnsNames: ['kuma-injector.kuma-system.svc'],
      resyncMs: 3_600_000,
      policy: { overlapMs: 7_200_000 },
      ...options,
    });
    running.push(tls);
    return tls;
  }

  const secret = () => standIn.get('Secret', objects.secretName, objects.namespace) as unknown as { data: Record<string, string>; metadata: { resourceVersion: string } };
  const decoded = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');
  const bundles = () => ((standIn.get('MutatingWebhookConfiguration', objects.webhookConfigurationName) as unknown as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks ?? []).map((w) => decoded(w.clientConfig.caBundle));

  it('creates the Secret once when three replicas start together, and all serve the same pair', async () => {
    const secretsAdded: string[] = [];
    standIn.onObjectChange((type, object) => {
      if (object.kind === 'Secret' && type === 'ADDED') secretsAdded.push(object.metadata.name);
    });
    // Every replica has found no Secret before any of them creates one: all three create, one wins.
    let absent = 0;
    let allRead: () => void;
    const barrier = new Promise<void>((resolve) => (allRead = resolve));
    const racing = (): CertificateApi => {
      const api = kubernetesCertificateApi(standIn.kubeConfig(), objects);
      return {
        ...api,
        readSecret: async () => {
          const found = await api.readSecret();
          if (!found && ++absent === 3) allRead();
          return found;
        },
        createSecret: async (content) => {
          await barrier;
          return api.createSecret(content);
        },
      };
    };
    const replicas = await Promise.all([replica({ api: racing() }), replica({ api: racing() }), replica({ api: racing() })]);
    expect(standIn.requests.filter((r) => r.verb === 'create' && r.resource === 'secrets')).toHaveLength(3);
    expect(secretsAdded).toEqual([objects.secretName]);
    const served = replicas.map((r) => r.current().cert);
    expect(new Set(served).size).toBe(1);
    expect(served[0]).toBe(decoded(secret().data['tls.crt']));
  });

  it('patches every webhook caBundle to the stored CA, which signed the served certificate for the Service', async () => {
    const tls = await replica();
    const ca = decoded(secret().data['ca.crt']);
    expect(bundles()).toEqual([ca, ca].map((pem) => `${pem.trimEnd()}\n`));
    const leaf = new X509Certificate(tls.current().cert);
    expect(leaf.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(leaf.checkHost('kuma-injector.kuma-system.svc')).toBe('kuma-injector.kuma-system.svc');
    expect(() => assertServable(tls.current())).not.toThrow();
    // The CA key stays in the Secret (it signs renewals); the bundle carries certificates only.
    expect(decoded(secret().data['ca.key'])).toMatch(/PRIVATE KEY/);
    expect(bundles().join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('reuses the Secret on restart: no new CA, no write, no patch', async () => {
    const first = await replica();
    const version = secret().metadata.resourceVersion;
    first.close();
    const writesBefore = standIn.requests.filter((r) => ['create', 'update', 'patch'].includes(r.verb)).length;
    const second = await replica();
    expect(second.current()).toEqual(first.current());
    expect(secret().metadata.resourceVersion).toBe(version);
    expect(standIn.requests.filter((r) => ['create', 'update', 'patch'].includes(r.verb)).length).toBe(writesBefore);
  });

  it('puts the caBundle back when something else changed it (an upgrade, a hand edit)', async () => {
    const tls = await replica();
    const configuration = standIn.get('MutatingWebhookConfiguration', objects.webhookConfigurationName)!;
    (configuration.webhooks as { clientConfig: { caBundle?: string } }[])[1]!.clientConfig.caBundle = Buffer.from('stale').toString('base64');
    standIn.put(configuration);
    await tls.reconcile({ throwOnError: true });
    const ca = `${decoded(secret().data['ca.crt']).trimEnd()}\n`;
    expect(bundles()).toEqual([ca, ca]);
  });

  it('never serves a stored certificate with a key that is not its own: it issues a new pair', async () => {
    const tls = await replica();
    const good = tls.current();
    const stored = standIn.get('Secret', objects.secretName, objects.namespace)!;
    const other = await replica({ api: kubernetesCertificateApi(standIn.kubeConfig(), { ...objects, secretName: 'other' }) });
    (stored.data as Record<string, string>)['tls.key'] = Buffer.from(other.current().key).toString('base64');
    standIn.put(stored);
    const served: string[] = [];
    tls.onChange((pair) => served.push(pair.cert));
    await tls.reconcile({ throwOnError: true });
    expect(() => assertServable(tls.current())).not.toThrow();
    expect(tls.current().cert).not.toBe(good.cert);
    expect(decoded(secret().data['tls.key'])).toBe(tls.current().key);
    expect(served).toEqual([tls.current().cert]);
  });

  it('replaces an unusable Secret, and refuses to start without the configuration to patch', async () => {
    standIn.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: objects.secretName, namespace: objects.namespace }, data: { 'tls.crt': 'eA==' } });
    const tls = await replica();
    expect(() => assertServable(tls.current())).not.toThrow();
    await expect(replica({ api: kubernetesCertificateApi(standIn.kubeConfig(), { ...objects, webhookConfigurationName: 'absent' }), startTimeoutMs: 0 })).rejects.toThrow(/MutatingWebhookConfiguration absent.*404/);
  });

  it('waits at start for a configuration that is created after the Deployment (Helm install order)', async () => {
    const late = { ...objects, webhookConfigurationName: 'created-later' };
    const starting = replica({ api: kubernetesCertificateApi(standIn.kubeConfig(), late), startTimeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    standIn.put({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'created-later' }, webhooks: [{ name: webhookNames[0], clientConfig: {} }] });
    const tls = await starting;
    const trusted = (standIn.get('MutatingWebhookConfiguration', 'created-later') as unknown as { webhooks: { clientConfig: { caBundle: string } }[] }).webhooks[0]!.clientConfig.caBundle;
    expect(new X509Certificate(tls.current().cert).verify(new X509Certificate(decoded(trusted)).publicKey)).toBe(true);
  });

  it('starts from the serve flags, and names what is wrong with them', async () => {
    const flags = { secret: 'kuma-system/kuma-injector-tls', webhookConfiguration: objects.webhookConfigurationName, dnsNames: ['kuma-injector.kuma-system.svc'] };
    const tls = await startSelfManagedTls(standIn.kubeConfig(), flags);
    running.push(tls);
    expect(tls.current().cert).toBe(decoded(secret().data['tls.crt']));
    expect(parseSecretReference('kuma-system/kuma-injector-tls')).toEqual({ namespace: 'kuma-system', name: 'kuma-injector-tls' });
    for (const bad of ['kuma-injector-tls', 'a/b/c', 'Kuma/x', '/x', 'ns/']) expect(() => parseSecretReference(bad)).toThrow(/<namespace>\/<name>/);
    expect(() => startSelfManagedTls(standIn.kubeConfig(), { ...flags, dnsNames: [] })).toThrow(/--tls-dns-name is required/);
  });
});
