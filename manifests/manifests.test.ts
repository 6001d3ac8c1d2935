// The plain manifests: schema-valid, wired to what the code really serves, and
// with webhook selectors that agree with the injector's own decision.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { serveCommand } from '../webhook/cli/serve.ts';
import { injectPod } from '../webhook/engine/inject-pod.ts';
import { admissionPath } from '../webhook/http/log-controller.ts';
import { appPod, enabledNamespace, mesh, testContext } from '../webhook/test/support/engine-fixtures.ts';

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any };

const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'kuma-injector.yaml'), 'utf8');
// caBundle is filled by gen-certs.sh; any base64 value stands in for validation.
const docs = parseAllDocuments(text.replaceAll('CA_BUNDLE', 'Q0E='), { version: '1.1' }).map((d) => d.toJS() as Doc);
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

const models: Record<string, new (data: any) => { validate(): void }> = {
  MutatingWebhookConfiguration,
  Deployment,
  PodDisruptionBudget,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  Service,
  ServiceAccount,
};

describe('manifests/kuma-injector.yaml', () => {
  it('holds only schema-valid objects of known kinds', () => {
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of docs) {
      const Model = models[doc.kind];
      expect(Model, `no model for ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc).validate(), `${doc.kind}/${doc.metadata.name}`).not.toThrow();
    }
  });

  it('starts the webhook with flags that `kuma-injector serve` accepts', () => {
    const container = byKind('Deployment')[0]!.spec.template.spec.containers[0];
    const [command, ...flags] = container.args as string[];
    expect(command).toBe('serve');
    const known = new Set(serveCommand().options.map((o) => o.long));
    for (const flag of flags) expect(known, flag).toContain(flag.split('=')[0]);
  });

  it('points every webhook at the served path through the Service port', () => {
    const service = byKind('Service')[0]!;
    const containerPort = byKind('Deployment')[0]!.spec.template.spec.containers[0].ports[0];
    for (const webhook of byKind('MutatingWebhookConfiguration')[0]!.webhooks) {
      expect(webhook.clientConfig.service.path).toBe(admissionPath);
      const port = service.spec.ports.find((p: any) => p.port === webhook.clientConfig.service.port);
      expect(port.targetPort).toBe(containerPort.name);
      expect(webhook.sideEffects).toBe('None');
    }
  });

  it('selects exactly the label values the injector treats as "inject"', () => {
    const candidates = ['enabled', 'true', 'yes', 'disabled', 'false', 'no', 'on', 'True', '1', ''];
    const injects = (value: string, where: 'namespace' | 'pod'): boolean => {
      const namespace = enabledNamespace('demo', {
        labels: where === 'namespace' ? { 'kuma.io/sidecar-injection': value } : { 'kuma.io/sidecar-injection': 'disabled' },
      });
      const pod = appPod(where === 'pod' ? { labels: { 'kuma.io/sidecar-injection': value } } : {});
      return injectPod(pod, testContext({ objects: [namespace, mesh()] })).result === 'injected';
    };
    const [byNamespace, byPod] = byKind('MutatingWebhookConfiguration')[0]!.webhooks;
    const namespaceValues = byNamespace.namespaceSelector.matchExpressions.find((e: any) => e.key === 'kuma.io/sidecar-injection').values;
    const podValues = byPod.objectSelector.matchExpressions.find((e: any) => e.key === 'kuma.io/sidecar-injection').values;
    expect(candidates.filter((v) => injects(v, 'namespace'))).toEqual(namespaceValues);
    expect(candidates.filter((v) => injects(v, 'pod'))).toEqual(podValues);
  });
});
