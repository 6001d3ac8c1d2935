// The plain manifests: schema-valid, wired to what the code really serves, and
// with webhook selectors that agree with the injector's own decision.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { injectorConfigFrom } from '../webhook/config/load-config.ts';
import { admissionPath } from '../webhook/http/log-controller.ts';
import {
  injectingLabelValues,
  injectionSelectorValues,
  objectOfKind,
  parseKubeYaml,
  unknownServeFlags,
  validateKubeObject,
} from '../test-support/kube-objects.ts';

const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'kuma-injector.yaml'), 'utf8');
// caBundle is filled by gen-certs.sh; any base64 value stands in for validation.
const docs = parseKubeYaml(text.replaceAll('CA_BUNDLE', 'Q0E='));

describe('manifests/kuma-injector.yaml', () => {
  it('holds only schema-valid objects', () => {
    expect(docs.map((d) => d.kind)).toContain('MutatingWebhookConfiguration');
    for (const doc of docs) validateKubeObject(doc);
  });

  it('starts the webhook with flags that `kuma-injector serve` accepts', () => {
    const args = objectOfKind(docs, 'Deployment').spec?.template.spec?.containers[0]?.args ?? [];
    expect(args[0]).toBe('serve');
    expect(unknownServeFlags(args)).toEqual([]);
  });

  it("runs Node with the image's NODE_OPTIONS (what bench:webhook measures)", () => {
    const env = objectOfKind(docs, 'Deployment').spec?.template.spec?.containers[0]?.env ?? [];
    const dockerfile = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'webhook', 'Dockerfile'), 'utf8');
    const image = /^ENV NODE_OPTIONS="?([^"\n]+)"?$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(/--max-semi-space-size=\d+/);
    expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(image);
  });

  it('points every webhook at the served path through the Service port', () => {
    const containerPort = objectOfKind(docs, 'Deployment').spec?.template.spec?.containers[0]?.ports?.[0];
    const webhooks = objectOfKind(docs, 'MutatingWebhookConfiguration').webhooks ?? [];
    expect(webhooks).not.toEqual([]);
    for (const webhook of webhooks) {
      expect(webhook.clientConfig.service?.path).toBe(admissionPath);
      const port = objectOfKind(docs, 'Service').spec?.ports?.find((p) => p.port === webhook.clientConfig.service?.port);
      expect(port?.targetPort).toBe(containerPort?.name);
      expect(webhook.sideEffects).toBe('None');
    }
  });

  it("injects Kuma 2.13.10's kuma-dp and this project's kuma-init, with native sidecars off as in Kuma 2.13", () => {
    const deployment = objectOfKind(docs, 'Deployment').spec?.template.spec;
    const mounted = deployment?.volumes?.find((v) => v.configMap)?.configMap?.name;
    expect(mounted).toBe(objectOfKind(docs, 'ConfigMap').metadata?.name);
    const config = injectorConfigFrom(parse(objectOfKind(docs, 'ConfigMap').data?.['config.yaml'] ?? ''));
    expect(config.sidecarContainer.image).toBe('kumahq/kuma-dp:2.13.10');
    expect(config.initContainer.image).toMatch(/^kuma-init:\d+\.\d+\.\d+$/);
    expect(deployment?.containers[0]?.args).toEqual(expect.arrayContaining(['--config=/etc/kuma-injector/config.yaml', '--sidecar-containers=off']));
  });

  it("is called before kuma-cp's injector: the API server orders configurations by name", () => {
    const name = objectOfKind(docs, 'MutatingWebhookConfiguration').metadata?.name ?? '';
    expect([name, 'kuma-admission-mutating-webhook-configuration'].sort()[0]).toBe(name);
  });

  it('selects exactly the label values the injector treats as "inject"', () => {
    const [byNamespace, byPod] = objectOfKind(docs, 'MutatingWebhookConfiguration').webhooks ?? [];
    expect(injectionSelectorValues(byNamespace?.namespaceSelector)).toEqual(injectingLabelValues('namespace'));
    expect(injectionSelectorValues(byPod?.objectSelector)).toEqual(injectingLabelValues('pod'));
  });
});
