// Which pods the API server sends to the injector: the namespaceSelector and
// objectSelector of the injector's webhooks in a MutatingWebhookConfiguration
// (the chart's or the manifests'), evaluated as the API server does. A pod
// that no webhook selects is created without a sidecar, whatever the injector
// would decide; `explain` and `check` report it.
export interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}

export interface Webhook {
  name: string;
  clientConfig?: { service?: { name?: string; namespace?: string; path?: string; port?: number }; url?: string; caBundle?: string };
  rules?: { operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[] }[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  failurePolicy?: string;
}

export interface WebhookConfiguration {
  kind?: string;
  metadata: { name: string; labels?: Record<string, string> };
  webhooks?: Webhook[];
}

export const INJECT_PATH = '/inject-sidecar';

/** Where the injector's webhooks came from, for the report. */
export interface WebhookSource {
  from: string;
  configurations: WebhookConfiguration[];
}

function requirementText(r: Requirement): string {
  if (r.operator === 'Exists' || r.operator === 'DoesNotExist') return `${r.key} ${r.operator}`;
  return `${r.key} ${r.operator} [${(r.values ?? []).join(', ')}]`;
}

/** The first requirement the labels fail, as text; undefined when the selector matches (an absent selector matches all). */
export function unmetRequirement(selector: LabelSelector | undefined, labels: Record<string, string>): string | undefined {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);
  const shown = (key: string): string => (has(key) ? `${key}=${JSON.stringify(labels[key])}` : `no label ${key}`);
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value || !has(key)) return `needs ${key}=${value}, has ${shown(key)}`;
  }
  for (const r of selector?.matchExpressions ?? []) {
    const value = has(r.key) ? labels[r.key]! : undefined;
    const values = r.values ?? [];
    const met =
      r.operator === 'In' ? value !== undefined && values.includes(value)
      : r.operator === 'NotIn' ? value === undefined || !values.includes(value)
      : r.operator === 'Exists' ? value !== undefined
      : r.operator === 'DoesNotExist' ? value === undefined
      : false;
    if (!met) return `needs ${requirementText(r)}, has ${shown(r.key)}`;
  }
  return undefined;
}

/** A webhook the API server calls for Pod CREATE at the injector's path. */
export function isPodInjectionWebhook(webhook: Webhook): boolean {
  const path = webhook.clientConfig?.service?.path ?? (webhook.clientConfig?.url ? new URL(webhook.clientConfig.url, 'https://x').pathname : undefined);
  const createsPods = (webhook.rules ?? []).some(
    (rule) =>
      (rule.operations ?? []).some((op) => op === 'CREATE' || op === '*') &&
      (rule.resources ?? []).some((r) => r === 'pods' || r === '*') &&
      (rule.apiGroups ?? []).some((g) => g === '' || g === '*'),
  );
  return path === INJECT_PATH && createsPods;
}

/** The namespace's labels as the selector sees them: the API server adds kubernetes.io/metadata.name. */
export function namespaceSelectorLabels(name: string, labels: Record<string, string> | undefined): Record<string, string> {
  return { ...labels, 'kubernetes.io/metadata.name': name };
}

export interface WebhookMatch {
  webhook: string;
  configuration: string;
  /** Why the API server does not call this webhook for the pod; absent when it does. */
  unmet?: string;
}

/** For each injection webhook: does the API server call it for this pod in this namespace? */
export function matchWebhooks(source: WebhookSource, namespace: string, namespaceLabels: Record<string, string> | undefined, podLabels: Record<string, string> | undefined): WebhookMatch[] {
  const nsLabels = namespaceSelectorLabels(namespace, namespaceLabels);
  return source.configurations.flatMap((configuration) =>
    (configuration.webhooks ?? []).filter(isPodInjectionWebhook).map((webhook) => {
      const nsUnmet = unmetRequirement(webhook.namespaceSelector, nsLabels);
      const podUnmet = nsUnmet === undefined ? unmetRequirement(webhook.objectSelector, podLabels ?? {}) : undefined;
      const unmet = nsUnmet !== undefined ? `namespaceSelector ${nsUnmet}` : podUnmet !== undefined ? `objectSelector ${podUnmet}` : undefined;
      return { webhook: webhook.name, configuration: configuration.metadata.name, ...(unmet !== undefined ? { unmet } : {}) };
    }),
  );
}

/** MutatingWebhookConfigurations among parsed YAML documents (also inside Lists); other kinds are skipped. */
export function webhookConfigurationsIn(documents: unknown[]): WebhookConfiguration[] {
  return documents.flatMap((document): WebhookConfiguration[] => {
    if (typeof document !== 'object' || document === null) return [];
    const object = document as { kind?: unknown; items?: unknown; metadata?: { name?: unknown } };
    if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
      return webhookConfigurationsIn(object.items.map((item: unknown) => (typeof item === 'object' && item !== null ? { kind: 'MutatingWebhookConfiguration', ...item } : item)));
    }
    if (object.kind !== 'MutatingWebhookConfiguration' || typeof object.metadata?.name !== 'string') return [];
    return [document as WebhookConfiguration];
  });
}

const enabledValues = ['enabled', 'true', 'yes'];

/**
 * The injector chart's two webhooks with its default values (charts/kuma-injector,
 * templates/webhook.yaml): what `explain` assumes when it is given no
 * MutatingWebhookConfiguration. `systemNamespace` is the release namespace.
 */
export function chartDefaultWebhooks(systemNamespace: string): WebhookSource {
  const exclusions: Requirement = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', systemNamespace] };
  const rules = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }];
  const clientConfig = { service: { name: 'kuma-injector', namespace: systemNamespace, path: INJECT_PATH, port: 443 } };
  return {
    from: "the chart's default selectors (no MutatingWebhookConfiguration in the --state files)",
    configurations: [
      {
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: `kuma-injector-${systemNamespace}` },
        webhooks: [
          {
            name: 'namespace-kuma-injector.kuma.io',
            clientConfig,
            rules,
            namespaceSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'In', values: enabledValues }, exclusions] },
          },
          {
            name: 'pods-kuma-injector.kuma.io',
            clientConfig,
            rules,
            namespaceSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'Exists' }, exclusions] },
            objectSelector: { matchExpressions: [{ key: 'kuma.io/sidecar-injection', operator: 'In', values: enabledValues }] },
          },
        ],
      },
    ],
  };
}
