// The Helm chart, rendered by a real helm: it lints, renders schema-valid
// objects wired to what the code serves, generates a usable serving
// certificate, and its values schema refuses bad input. The certificate
// modes and the defaults of issue 10 are in chart-tls.test.ts.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { injectorConfigFrom } from '../webhook/config/load-config.ts';
import { admissionPath } from '../webhook/http/log-controller.ts';
import {
  injectingLabelValues,
  injectionSelectorValues,
  objectOfKind as one,
  unknownServeFlags,
  validateKubeObject,
} from '../test-support/kube-objects.ts';
import { chart, helm, noHelm, render, renderError } from './render-chart.ts';

describe.skipIf(noHelm)('charts/kuma-injector', () => {
  const docs = noHelm ? [] : render();

  it('passes helm lint --strict', () => {
    expect(helm('lint', '--strict', '--namespace', 'kuma-system', chart)).toContain('0 chart(s) failed');
  });

  it('renders only schema-valid objects', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'MutatingWebhookConfiguration',
      'PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount',
    ]);
    for (const doc of docs) validateKubeObject(doc);
  });

  it('starts `kuma-injector serve` with known flags and a config it loads', () => {
    const args = one(docs, 'Deployment').spec?.template.spec?.containers[0]?.args ?? [];
    expect(unknownServeFlags(args)).toEqual([]);
    expect(args).toContain('--control-plane-url=https://kuma-control-plane.kuma-system:5678');
    const configured = render('injectorConfig.sidecarContainer.image=registry.example/kuma-dp:2.13.10');
    const config = injectorConfigFrom(parse(one(configured, 'ConfigMap').data?.['config.yaml'] ?? ''));
    expect(config.sidecarContainer.image).toBe('registry.example/kuma-dp:2.13.10');
    // Without overrides: Kuma 2.13.10's kuma-dp, never kuma-cp's placeholder kuma/kuma-dp:latest.
    expect(injectorConfigFrom(parse(one(docs, 'ConfigMap').data?.['config.yaml'] ?? '')).sidecarContainer.image).toBe('kumahq/kuma-dp:2.13.10');
  });

  it("runs Node with the image's NODE_OPTIONS (what bench:webhook measures)", () => {
    const env = one(docs, 'Deployment').spec?.template.spec?.containers[0]?.env ?? [];
    const image = /^ENV NODE_OPTIONS="?([^"\n]+)"?$/m.exec(readFileSync(join(chart, '..', '..', 'webhook', 'Dockerfile'), 'utf8'))?.[1];
    expect(image).toMatch(/--max-semi-space-size=\d+/);
    expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(image);
  });

  it('routes both webhooks to the served path with selectors that match the injector', () => {
    const [byNamespace, byPod] = one(docs, 'MutatingWebhookConfiguration').webhooks ?? [];
    for (const webhook of [byNamespace, byPod]) expect(webhook?.clientConfig.service?.path).toBe(admissionPath);
    expect(injectionSelectorValues(byNamespace?.namespaceSelector)).toEqual(injectingLabelValues('namespace'));
    expect(injectionSelectorValues(byPod?.objectSelector)).toEqual(injectingLabelValues('pod'));
    const names = byNamespace?.namespaceSelector?.matchExpressions?.find((e) => e.key === 'kubernetes.io/metadata.name');
    expect(names?.values).toEqual(['kube-system', 'kuma-system']);
  });

  it('generates a serving certificate for the Service, signed by the caBundle CA', () => {
    const secret = one(docs, 'Secret');
    const leaf = new X509Certificate(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64'));
    const ca = new X509Certificate(Buffer.from(one(docs, 'MutatingWebhookConfiguration').webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64'));
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('kuma-injector.kuma-system.svc')).toBe('kuma-injector.kuma-system.svc');
  });

  it('uses an existing Secret and caBundle in secret mode, and demands both', () => {
    expect(renderError('tls.mode=secret', 'tls.caBundle=Q0E=')).toContain('tls.secretName is required');
    expect(renderError('tls.mode=secret', 'tls.secretName=from-cert-manager')).toContain('tls.caBundle is required');
    const external = render('tls.mode=secret', 'tls.secretName=from-cert-manager', 'tls.caBundle=Q0E=');
    expect(external.map((d) => d.kind)).not.toContain('Secret');
    expect(one(external, 'Deployment').spec?.template.spec?.volumes?.find((v) => v.name === 'tls')?.secret?.secretName).toBe('from-cert-manager');
    expect(one(external, 'MutatingWebhookConfiguration').webhooks?.[1]?.clientConfig.caBundle).toBe('Q0E=');
  });

  it('narrows injection to an allow list of namespaces', () => {
    const webhook = one(render('webhook.namespaceAllowList={shop,payments}'), 'MutatingWebhookConfiguration').webhooks?.[0];
    expect(webhook?.namespaceSelector?.matchExpressions).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'payments'] });
  });

  it('refuses values outside its schema', () => {
    expect(renderError('replicas=0')).toContain('replicas');
    expect(renderError('sidecarContainers=maybe')).toContain('sidecarContainers');
  });
});
