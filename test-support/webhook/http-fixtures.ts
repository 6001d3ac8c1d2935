// Shared pieces of the HTTP tests: a certificate, small real injection
// functions honouring the InjectionOutcome contract, and a server builder.
import type { Operation } from 'fast-json-patch';
import type { InjectionOutcome, RecordedOperation } from '../../webhook/engine/index.ts';
import { buildWebhookServer, type InjectFn, WebhookMetrics, type WebhookServerOptions } from '../../webhook/http/index.ts';
import { fixedKeyPair } from '../../webhook/tls/index.ts';
import { generateSelfSigned, type SelfSignedCertificates } from '../../webhook/tls/self-signed.ts';

export const injectionLabel = 'kuma.io/sidecar-injection';

let certificates: Promise<SelfSignedCertificates> | undefined;
/** One certificate per test file: generation is cheap, but not free. */
export function testCertificates(): Promise<SelfSignedCertificates> {
  certificates ??= generateSelfSigned();
  return certificates;
}

const labelsOf = (pod: Record<string, unknown>): Record<string, string> =>
  ((pod.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {});

/**
 * A tiny injector with Kuma's label semantics: an unknown value of the
 * injection label is refused with Kuma's message, `disabled` skips, anything
 * else gets a sidecar container appended and the request namespace set.
 */
export const addSidecar: InjectFn = (pod, namespace): InjectionOutcome => {
  const value = labelsOf(pod)[injectionLabel];
  if (value !== undefined && !['enabled', 'disabled', 'true', 'false'].includes(value)) {
    return { result: 'refused', reason: 'invalid_label_value', message: `annotation "${injectionLabel}" has wrong value "${value}"` };
  }
  if (value === 'disabled' || value === 'false') return { result: 'skipped', reason: 'not_needed', message: 'injection disabled by label' };
  const sidecar = { name: 'kuma-sidecar', image: 'kuma/kuma-dp:2.13.10' };
  const patch: RecordedOperation[] = [
    { op: 'add', path: '/metadata/namespace', value: namespace ?? 'default' },
    { op: 'add', path: '/spec/containers/-', value: sidecar },
  ];
  const spec = pod.spec as { containers: unknown[] };
  const injected = {
    ...pod,
    metadata: { ...(pod.metadata as object), namespace: namespace ?? 'default' },
    spec: { ...spec, containers: [...spec.containers, sidecar] },
  };
  return { result: 'injected', pod: injected, patch };
};

/** A review's response, decoded: the patch as operations. */
export interface DecodedReview {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; status?: { code: number; message: string }; patchType?: string; patch?: string };
  ops: Operation[];
}

export function decodeResponse(body: string): DecodedReview {
  const review = JSON.parse(body) as Omit<DecodedReview, 'ops'>;
  const ops = review.response.patch ? (JSON.parse(Buffer.from(review.response.patch, 'base64').toString('utf8')) as Operation[]) : [];
  return { ...review, ops };
}

/** A server on the test certificate, without logs or process metrics unless asked. */
export async function testServer(overrides: Partial<WebhookServerOptions> = {}) {
  const { serving } = await testCertificates();
  return buildWebhookServer({
    inject: addSidecar,
    state: { ready: () => true },
    tls: fixedKeyPair(serving),
    logger: false,
    metrics: new WebhookMetrics({ processMetrics: false }),
    ...overrides,
  });
}
