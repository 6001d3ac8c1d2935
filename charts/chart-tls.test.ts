// The chart's certificate modes (helm, certmanager, self-managed, secret) and
// the defaults of issue 10: images, native sidecars, the system namespace, the
// disruption budget, and the name that puts this injector before kuma-cp's.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectorConfigFrom } from '../webhook/config/load-config.ts';
import { StandInApiServer } from '../test-support/webhook/stand-in-api-server.ts';
import { objectOfKind as one, unknownServeFlags, validateKubeObject, type KubeDoc } from '../test-support/kube-objects.ts';
import { chart, helm, noHelm, render, renderAgainst, renderError, renderErrorIn, renderIn } from './render-chart.ts';

const appVersion = (parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;
const kumaWebhookConfiguration = 'kuma-admission-mutating-webhook-configuration';

const certManagerKinds = new Set(['Certificate', 'Issuer']);

/** Every object is schema-valid; cert-manager's kinds (no schema here) are returned for checks by hand. */
function validateAll(docs: KubeDoc[]): KubeDoc[] {
  for (const doc of docs) if (!certManagerKinds.has(doc.kind)) validateKubeObject(doc);
  return docs.filter((d) => certManagerKinds.has(d.kind));
}

const args = (docs: KubeDoc[]) => one(docs, 'Deployment').spec?.template.spec?.containers[0]?.args ?? [];
const webhooks = (docs: KubeDoc[]) => one(docs, 'MutatingWebhookConfiguration').webhooks ?? [];
const injectorConfig = (docs: KubeDoc[]) => injectorConfigFrom(parse(one(docs, 'ConfigMap').data?.['config.yaml'] ?? ''));
const podAnnotations = (docs: KubeDoc[]) => one(docs, 'Deployment').spec?.template.metadata?.annotations ?? {};
const decode = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

describe.skipIf(noHelm)('charts/kuma-injector: defaults', () => {
  const docs = noHelm ? [] : render();

  it("injects Kuma 2.13.10's kuma-dp and this project's kuma-init at the chart's appVersion", () => {
    const config = injectorConfig(docs);
    expect(config.sidecarContainer.image).toBe('kumahq/kuma-dp:2.13.10');
    expect(config.initContainer.image).toBe(`kuma-init:${appVersion}`);
    const moved = injectorConfig(render('initImage.repository=registry.example/kuma-init', 'sidecarImage.repository=registry.example/kuma-dp'));
    expect(moved.initContainer.image).toBe(`registry.example/kuma-init:${appVersion}`);
    expect(moved.sidecarContainer.image).toBe('registry.example/kuma-dp:2.13.10');
    // injectorConfig keeps the last word, and its other keys stay.
    const own = injectorConfig(render('injectorConfig.initContainer.image=mine:1', 'injectorConfig.sidecarContainer.uid=1234'));
    expect(own.initContainer.image).toBe('mine:1');
    expect(own.sidecarContainer).toMatchObject({ image: 'kumahq/kuma-dp:2.13.10', uid: 1234 });
  });

  it('prints the images, the certificate mode and the configuration order in NOTES.txt', () => {
    const notes = helm('install', 'kuma-injector', chart, '-n', 'kuma-system', '--dry-run=client', '--set', 'injectorConfig.initContainer.image=mine:1', '--set', 'tls.mode=certmanager').split('NOTES:')[1] ?? '';
    expect(notes).toContain('kuma-sidecar: kumahq/kuma-dp:2.13.10');
    expect(notes).toContain('kuma-init:    mine:1');
    expect(notes).toContain('tls.mode=certmanager');
    expect(notes).toContain(`is called before kuma-cp's (${kumaWebhookConfiguration})`);
  });

  it("leaves native sidecars off, as Kuma 2.13's experimental.sidecarContainers", () => {
    expect(args(docs)).toContain('--sidecar-containers=off');
  });

  it('refuses the default namespace instead of taking it for the system namespace', () => {
    expect(renderErrorIn('default')).toMatch(/not "default": run helm with -n kuma-system/);
    expect(args(renderIn('mesh-system'))).toContain('--system-namespace=mesh-system');
  });

  it('renders a PodDisruptionBudget only with two replicas or more', () => {
    expect(docs.map((d) => d.kind)).toContain('PodDisruptionBudget');
    expect(render('replicas=1').map((d) => d.kind)).not.toContain('PodDisruptionBudget');
    expect(render('replicas=3').map((d) => d.kind)).toContain('PodDisruptionBudget');
  });

  it("names its configuration to come before kuma-cp's, and refuses a name that would not", () => {
    const name = one(docs, 'MutatingWebhookConfiguration').metadata?.name ?? '';
    // The API server calls mutating webhook configurations sorted by name (byte order).
    expect([name, kumaWebhookConfiguration].sort()[0]).toBe(name);
    expect(webhooks(docs).map((w) => w.name)).toEqual(['namespace-kuma-injector.kuma.io', 'pods-kuma-injector.kuma.io']);
    expect(renderError('webhook.configurationName=zz-injector')).toContain('must sort before');
    expect(renderError('kumaControlPlane.webhookConfigurationName=a-admission-mutating-webhook-configuration')).toContain('must sort before');
    const renamed = render('kumaControlPlane.webhookConfigurationName=mesh-admission-mutating-webhook-configuration');
    expect(one(renamed, 'MutatingWebhookConfiguration').metadata?.name).toBe(name);
  });
});

describe.skipIf(noHelm)('charts/kuma-injector: certificate modes', () => {
  const service = 'kuma-injector.kuma-system.svc';

  it('renders schema-valid objects in every mode, also with CNI-style overrides', () => {
    const modes = [[], ['tls.mode=certmanager'], ['tls.mode=self-managed'], ['tls.mode=secret', 'tls.secretName=s', 'tls.caBundle=Q0E=']];
    for (const mode of modes) {
      for (const overrides of [[], ['cni.enabled=true', 'replicas=1', 'sidecarContainers=on', 'injectorConfig.initContainer.image=kuma-init:cni']]) {
        const docs = render(...mode, ...overrides);
        expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['Deployment', 'MutatingWebhookConfiguration', 'Service']));
        validateAll(docs);
      }
    }
  });

  describe('helm: generated once, then kept through lookup', () => {
    let standIn: StandInApiServer;
    beforeAll(async () => {
      standIn = await StandInApiServer.start();
    });
    afterAll(() => standIn.close());

    const secretOf = (docs: KubeDoc[]) => one(docs, 'Secret');
    // As `helm install` leaves it: helm adopts only objects that carry its ownership marks.
    const ownedByRelease = { labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'kuma', 'meta.helm.sh/release-namespace': 'kuma-system' } };
    const storeSecret = (docs: KubeDoc[]) =>
      standIn.put({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'kuma-injector-tls', namespace: 'kuma-system', ...ownedByRelease }, data: secretOf(docs).data });

    it('makes a new CA on every render when there is nothing to look up (plain helm template)', () => {
      const [a, b] = [render(), render()];
      expect(webhooks(a)[0]?.clientConfig.caBundle).not.toBe(webhooks(b)[0]?.clientConfig.caBundle);
      expect(podAnnotations(a)['checksum/tls']).not.toBe(podAnnotations(b)['checksum/tls']);
    });

    it('renders the same CA, certificate and checksum twice once the Secret exists, and rolls the pods when it changes', async () => {
      const first = await renderAgainst(standIn.kubeconfigYaml());
      storeSecret(first);
      const [again, andAgain] = [await renderAgainst(standIn.kubeconfigYaml()), await renderAgainst(standIn.kubeconfigYaml())];
      for (const docs of [again, andAgain]) {
        expect(secretOf(docs).data).toEqual(secretOf(first).data);
        for (const webhook of webhooks(docs)) expect(webhook.clientConfig.caBundle).toBe(secretOf(first).data?.['ca.crt']);
        expect(podAnnotations(docs)['checksum/tls']).toBe(podAnnotations(first)['checksum/tls']);
      }
      expect(standIn.requests.filter((r) => r.verb === 'get' && r.path === '/api/v1/namespaces/kuma-system/secrets/kuma-injector-tls').length).toBeGreaterThanOrEqual(3);

      // Someone replaced the certificate in the Secret: the caBundle follows it and the pods roll.
      const replaced = render();
      storeSecret(replaced);
      const after = await renderAgainst(standIn.kubeconfigYaml());
      expect(webhooks(after)[0]?.clientConfig.caBundle).toBe(secretOf(replaced).data?.['ca.crt']);
      expect(podAnnotations(after)['checksum/tls']).not.toBe(podAnnotations(first)['checksum/tls']);
    });

    it('generates a certificate for the Service that the caBundle CA signed', () => {
      const docs = render();
      const leaf = new X509Certificate(decode(secretOf(docs).data?.['tls.crt']));
      const ca = new X509Certificate(decode(webhooks(docs)[1]?.clientConfig.caBundle));
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkHost(service)).toBe(service);
    });
  });

  it('certmanager: a CA chain of Issuers and Certificates, and the CA injected from the serving Certificate', () => {
    const docs = render('tls.mode=certmanager');
    const custom = validateAll(docs);
    expect(docs.map((d) => d.kind)).not.toContain('Secret');
    const byName = new Map(custom.map((d) => [`${d.kind}/${d.metadata.name}`, d as KubeDoc & { spec: Record<string, unknown> }]));
    for (const doc of custom) {
      expect(doc.apiVersion).toBe('cert-manager.io/v1');
      expect(doc.metadata.namespace).toBe('kuma-system');
    }
    const serving = byName.get('Certificate/kuma-injector-serving')?.spec as { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string }; usages: string[] };
    const volume = one(docs, 'Deployment').spec?.template.spec?.volumes?.find((v) => v.name === 'tls');
    expect(serving.secretName).toBe(volume?.secret?.secretName);
    expect(serving.dnsNames).toContain(service);
    expect(serving.usages).toContain('server auth');
    // The issuer chain resolves inside the render: serving ← CA Issuer ← CA Certificate ← self-signed Issuer.
    const caIssuer = byName.get(`${serving.issuerRef.kind}/${serving.issuerRef.name}`)?.spec as { ca: { secretName: string } };
    const caCertificate = custom.find((d) => d.kind === 'Certificate' && (d as unknown as { spec: { secretName: string } }).spec.secretName === caIssuer.ca.secretName) as unknown as { spec: { isCA: boolean; issuerRef: { name: string } } };
    expect(caCertificate.spec.isCA).toBe(true);
    expect(byName.get(`Issuer/${caCertificate.spec.issuerRef.name}`)?.spec).toEqual({ selfSigned: {} });

    const configuration = one(docs, 'MutatingWebhookConfiguration');
    expect(configuration.metadata?.annotations?.['cert-manager.io/inject-ca-from']).toBe('kuma-system/kuma-injector-serving');
    for (const webhook of webhooks(docs)) expect(webhook.clientConfig.caBundle).toBeUndefined();

    // With an issuer of one's own, only the serving Certificate is rendered, pointing at it.
    const external = validateAll(render('tls.mode=certmanager', 'tls.certManager.issuerRef.name=corp-ca', 'tls.certManager.issuerRef.kind=ClusterIssuer'));
    expect(external.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Certificate/kuma-injector-serving']);
    expect((external[0] as unknown as { spec: { issuerRef: object } }).spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  it('self-managed: no Secret or caBundle rendered, RBAC on its own Secret and configuration only', () => {
    const docs = render('tls.mode=self-managed');
    validateAll(docs);
    expect(docs.map((d) => d.kind)).not.toContain('Secret');
    for (const webhook of webhooks(docs)) expect(webhook.clientConfig.caBundle).toBeUndefined();
    const configurationName = one(docs, 'MutatingWebhookConfiguration').metadata?.name;
    expect(args(docs)).toEqual(expect.arrayContaining(['--tls-mode=self-managed', '--tls-secret=kuma-system/kuma-injector-tls', `--webhook-configuration=${configurationName}`, `--tls-dns-name=${service}`]));
    expect(args(docs).some((a) => a.startsWith('--tls-cert-file'))).toBe(false);
    expect(unknownServeFlags(args(docs))).toEqual([]);
    const rules = docs
      .filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')
      .flatMap((d) => (d as unknown as { rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[] }).rules);
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: ['kuma-injector-tls'], verbs: ['get', 'update'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['create'] });
    expect(rules).toContainEqual({ apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: [configurationName], verbs: ['get', 'patch'] });
    // Nothing else may write: the default mode grants no secret or configuration access at all.
    const writes = (d: KubeDoc[]) => d.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole').flatMap((x) => (x as unknown as { rules: { verbs: string[] }[] }).rules).filter((r) => r.verbs.some((v) => ['create', 'update', 'patch'].includes(v)));
    expect(writes(render())).toEqual([]);
  });
});
