// What `serve --tls-mode self-managed` calls: the flags' objects, checked,
// and SelfManagedTls started against the cluster with the production policy.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubernetesCertificateApi } from './certificate-api.ts';
import { SelfManagedTls } from './self-managed-tls.ts';
import type { TlsLogger } from './self-managed-tls.ts';

export interface SelfManagedFlags {
  /** `--tls-secret <namespace>/<name>` */
  secret: string;
  /** `--webhook-configuration <name>`: this webhook's MutatingWebhookConfiguration. */
  webhookConfiguration: string;
  /** `--tls-dns-name <name>` (repeatable): the Service's names. */
  dnsNames: string[];
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `namespace/name`, both DNS labels (names may contain dots); throws saying what is wrong. */
export function parseSecretReference(reference: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = reference.split('/');
  const valid = rest.length === 0 && namespace !== undefined && dnsLabel.test(namespace) && name !== undefined && name.split('.').every((part) => dnsLabel.test(part));
  if (!valid) throw new Error(`--tls-secret must be <namespace>/<name> (lower-case DNS names), got ${JSON.stringify(reference.slice(0, 300))}`);
  return { namespace, name };
}

export function startSelfManagedTls(kubeConfig: KubeConfig, flags: SelfManagedFlags, log?: TlsLogger): Promise<SelfManagedTls> {
  const { namespace, name } = parseSecretReference(flags.secret);
  if (flags.webhookConfiguration === '') throw new Error('--webhook-configuration is required with --tls-mode self-managed');
  if (flags.dnsNames.length === 0) throw new Error('--tls-dns-name is required with --tls-mode self-managed (the webhook Service: <service>.<namespace>.svc)');
  const api = kubernetesCertificateApi(kubeConfig, { namespace, secretName: name, webhookConfigurationName: flags.webhookConfiguration });
  return SelfManagedTls.start({ api, dnsNames: flags.dnsNames, ...(log ? { log } : {}) });
}
