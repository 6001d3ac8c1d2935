// Checks shared by the manifest and chart tests: schema validation of the
// rendered objects, and the facts that tie a deployment to the code it runs.
import {
  type IMutatingWebhookConfiguration,
  MutatingWebhookConfiguration,
} from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type ISecret, Secret } from 'kubernetes-models/v1/Secret';
import { type IService, Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';
import { serveCommand } from '../webhook/cli/serve.ts';
import { injectPod } from '../webhook/engine/index.ts';
import { appPod, enabledNamespace, mesh, testContext } from './webhook/engine-fixtures.ts';

// Rendered YAML is untyped until a test asks for one kind (objectOfKind).
export type KubeDoc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [field: string]: unknown };

/** The kinds the tests read field by field, typed as kubernetes-models declares them. */
interface KindTypes {
  ConfigMap: IConfigMap;
  Deployment: IDeployment;
  MutatingWebhookConfiguration: IMutatingWebhookConfiguration;
  Secret: ISecret;
  Service: IService;
}

/** The first object of `kind` (schema-checked separately by validateKubeObject); throws when there is none. */
export function objectOfKind<K extends keyof KindTypes>(docs: readonly KubeDoc[], kind: K): KindTypes[K] {
  const doc = docs.find((d) => d.kind === kind);
  if (!doc) throw new Error(`no ${kind} among ${docs.map((d) => d.kind).join(', ')}`);
  return doc as unknown as KindTypes[K];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const models: Record<string, new (data: any) => { validate(): void }> = {
  ConfigMap,
  ClusterRole,
  ClusterRoleBinding,
  Deployment,
  MutatingWebhookConfiguration,
  PodDisruptionBudget,
  Role,
  RoleBinding,
  Secret,
  Service,
  ServiceAccount,
};

export function parseKubeYaml(text: string): KubeDoc[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS() as KubeDoc | null)
    .filter((d): d is KubeDoc => d !== null);
}

/** Throws naming the object when a kind is unknown or the object is not schema-valid. */
export function validateKubeObject(doc: KubeDoc): void {
  const Model = models[doc.kind];
  if (!Model) throw new Error(`no schema for kind ${doc.kind}`);
  try {
    new Model(doc).validate();
  } catch (error) {
    throw new Error(`${doc.kind}/${doc.metadata.name}: ${(error as Error).message}`);
  }
}

/** Flags of the webhook container's `serve` command line that `kuma-injector serve` does not define. */
export function unknownServeFlags(args: string[]): string[] {
  const known = new Set(serveCommand().options.map((o) => o.long));
  return args.slice(1).filter((arg) => !known.has(arg.split('=')[0]));
}

/** The values, among some candidates, for which the injector injects when set on the namespace or on the pod. */
export function injectingLabelValues(where: 'namespace' | 'pod'): string[] {
  const candidates = ['enabled', 'true', 'yes', 'disabled', 'false', 'no', 'on', 'True', '1', ''];
  return candidates.filter((value) => {
    const namespaceValue = where === 'namespace' ? value : 'disabled';
    const namespace = enabledNamespace('demo', { labels: { 'kuma.io/sidecar-injection': namespaceValue } });
    const pod = appPod(where === 'pod' ? { labels: { 'kuma.io/sidecar-injection': value } } : {});
    return injectPod(pod, testContext({ objects: [namespace, mesh()] })).result === 'injected';
  });
}

/** The values of the `kuma.io/sidecar-injection` In-expression of a label selector. */
export function injectionSelectorValues(selector: { matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string[] {
  const expression = selector?.matchExpressions?.find((e) => e.key === 'kuma.io/sidecar-injection' && e.operator === 'In');
  return expression?.values ?? [];
}
