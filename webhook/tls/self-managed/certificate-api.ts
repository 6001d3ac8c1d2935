// The API calls of self-managed mode, behind a small interface: read, create
// and update one Secret; read and patch the caBundle of one
// MutatingWebhookConfiguration. kubernetesCertificateApi implements it with
// @kubernetes/client-node (tests point it at a stand-in API server).
import { AdmissionregistrationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { describeApiError, statusOf } from '../../kube-api/index.ts';
import type { SecretContent } from './tls-state.ts';

export interface StoredSecret extends SecretContent {
  resourceVersion: string;
}

/** The caBundle of one webhook of the configuration (base64 of PEM, as the API stores it; '' when unset). */
export interface WebhookTrust {
  name: string;
  caBundle: string;
}

/** 409 on create or update, or a JSON patch whose test failed: someone else wrote first. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export interface CertificateApi {
  /** undefined when the Secret does not exist. */
  readSecret(): Promise<StoredSecret | undefined>;
  /** Throws ConflictError when the Secret exists already. */
  createSecret(content: SecretContent): Promise<StoredSecret>;
  /** Throws ConflictError when the Secret changed since `resourceVersion`. */
  updateSecret(content: SecretContent, resourceVersion: string): Promise<StoredSecret>;
  readWebhookTrust(): Promise<WebhookTrust[]>;
  /** Sets every webhook's caBundle to `caBundle` (base64), provided they still hold `seen`; else ConflictError. */
  patchWebhookTrust(seen: WebhookTrust[], caBundle: string): Promise<void>;
}

export interface CertificateObjects {
  namespace: string;
  secretName: string;
  webhookConfigurationName: string;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const fromBase64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

function storedSecret(secret: V1Secret): StoredSecret {
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, fromBase64(v)]));
  return { data, annotations: { ...secret.metadata?.annotations }, resourceVersion: secret.metadata?.resourceVersion ?? '' };
}

/** Throws ConflictError for 409 (and 422 from a failed JSON patch test), a described Error otherwise. */
function rethrow(what: string, error: unknown): never {
  const status = statusOf(error);
  if (status === 409 || status === 422) throw new ConflictError(`${what}: ${describeApiError(error)}`);
  throw new Error(`${what}: ${describeApiError(error)}`);
}

export function kubernetesCertificateApi(kubeConfig: KubeConfig, objects: CertificateObjects): CertificateApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const { namespace, secretName: name, webhookConfigurationName } = objects;
  const secretWhat = `Secret ${namespace}/${name}`;
  const body = (content: SecretContent, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace, annotations: content.annotations, labels: { 'app.kubernetes.io/name': 'kuma-injector' }, ...(resourceVersion ? { resourceVersion } : {}) },
    data: Object.fromEntries(Object.entries(content.data).map(([k, v]) => [k, base64(v)])),
  });
  return {
    async readSecret() {
      try {
        return storedSecret(await core.readNamespacedSecret({ name, namespace }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        rethrow(`reading ${secretWhat}`, error);
      }
    },
    async createSecret(content) {
      try {
        return storedSecret(await core.createNamespacedSecret({ namespace, body: body(content) }));
      } catch (error) {
        rethrow(`creating ${secretWhat}`, error);
      }
    },
    async updateSecret(content, resourceVersion) {
      try {
        return storedSecret(await core.replaceNamespacedSecret({ name, namespace, body: body(content, resourceVersion) }));
      } catch (error) {
        rethrow(`updating ${secretWhat}`, error);
      }
    },
    async readWebhookTrust() {
      try {
        const configuration = await admission.readMutatingWebhookConfiguration({ name: webhookConfigurationName });
        return (configuration.webhooks ?? []).map((w) => ({ name: w.name, caBundle: w.clientConfig.caBundle ?? '' }));
      } catch (error) {
        rethrow(`reading MutatingWebhookConfiguration ${webhookConfigurationName}`, error);
      }
    },
    async patchWebhookTrust(seen, caBundle) {
      // Each webhook is tested for its name and the caBundle read before: a concurrent change fails the whole patch.
      const operations = seen.flatMap((webhook, index) => [
        { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
        ...(webhook.caBundle === '' ? [] : [{ op: 'test', path: `/webhooks/${index}/clientConfig/caBundle`, value: webhook.caBundle }]),
        { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundle },
      ]);
      try {
        await admission.patchMutatingWebhookConfiguration({ name: webhookConfigurationName, body: operations }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
      } catch (error) {
        rethrow(`patching the caBundle of MutatingWebhookConfiguration ${webhookConfigurationName}`, error);
      }
    },
  };
}
