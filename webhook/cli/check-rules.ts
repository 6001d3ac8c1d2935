// The checks of `kuma-injector check`, as pure functions of what was read
// from the cluster (check-view.ts). Each gives pass or fail lines with a hint
// that says what to do.
import { X509Certificate } from 'node:crypto';
import { Keys } from '../engine/index.ts';
import type { CheckTarget, ClusterView } from './check-view.ts';
import { typoHints } from './label-typos.ts';
import { isPodInjectionWebhook, namespaceSelectorLabels, unmetRequirement, type Webhook, type WebhookConfiguration } from './webhook-selectors.ts';

export interface CheckResult {
  ok: boolean;
  text: string;
  hint?: string;
}

type Owned = { configuration: WebhookConfiguration; webhook: Webhook };

const pass = (text: string): CheckResult => ({ ok: true, text });
const fail = (text: string, hint: string): CheckResult => ({ ok: false, text, hint });

function injectionWebhooks(view: ClusterView): Owned[] {
  return view.webhooks.configurations.flatMap((configuration) =>
    (configuration.webhooks ?? []).filter(isPodInjectionWebhook).map((webhook) => ({ configuration, webhook })),
  );
}

const isOurs = (target: CheckTarget) => (owned: Owned): boolean =>
  owned.webhook.clientConfig?.service?.name === target.service && owned.webhook.clientConfig?.service?.namespace === target.namespace;

/** Our webhooks exist, and their selectors leave out kube-system and our own namespace. */
export function checkWebhookConfiguration(view: ClusterView, target: CheckTarget): CheckResult[] {
  const ours = injectionWebhooks(view).filter(isOurs(target));
  if (ours.length === 0) {
    return [
      fail(
        `no webhook for Pod CREATE at /inject-sidecar calls service ${target.namespace}/${target.service}`,
        'install the chart (charts/kuma-injector) or manifests/kuma-injector.yaml, or pass --namespace/--service of your installation',
      ),
    ];
  }
  const names = ours.map((o) => `${o.configuration.metadata.name}/${o.webhook.name}`).join(', ');
  const results = [pass(`${names} call service ${target.namespace}/${target.service}`)];
  for (const own of [target.namespace, 'kube-system']) {
    const reaching = ours.filter((o) => unmetRequirement(o.webhook.namespaceSelector, namespaceSelectorLabels(own, { [Keys.sidecarInjection]: 'enabled' })) === undefined);
    results.push(
      reaching.length === 0
        ? pass(`selectors leave out namespace ${own}`)
        : fail(
            `${reaching.map((o) => o.webhook.name).join(', ')} would be called for pods of namespace ${own}`,
            `add {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, ${target.namespace}]} to the namespaceSelector: the webhook must not block its own pods or the cluster's`,
          ),
    );
  }
  // Every value the injector reads as "enabled" must reach it, or such namespaces are silently skipped.
  const missed = ['enabled', 'true', 'yes'].filter(
    (value) => !ours.some((o) => unmetRequirement(o.webhook.namespaceSelector, namespaceSelectorLabels('any-namespace', { [Keys.sidecarInjection]: value })) === undefined && unmetRequirement(o.webhook.objectSelector, {}) === undefined),
  );
  results.push(
    missed.length === 0
      ? pass(`selectors send namespaces labelled ${Keys.sidecarInjection} enabled, true or yes to the injector`)
      : fail(
          `namespaces labelled ${Keys.sidecarInjection}=${missed.join('|')} never reach the injector, which reads ${missed.length > 1 ? 'these values' : 'that value'} as enabled`,
          `list enabled, "true" and "yes" in the namespaceSelector (the chart does), or relabel those namespaces "enabled"`,
        ),
  );
  return results;
}

function base64Pem(caBundle: string | undefined): X509Certificate[] {
  if (!caBundle) return [];
  const pem = Buffer.from(caBundle, 'base64').toString('utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

/** Why the caBundle does not make the API server trust `leaf` for the service's name; undefined when it does. */
function trustProblem(cas: X509Certificate[], chain: X509Certificate[], host: string, now: Date): string | undefined {
  const leaf = chain[0];
  if (!leaf) return 'no certificate';
  const issuers = [...chain.slice(1), ...cas];
  // Walk up from the leaf to a certificate of the bundle (intermediates may come from the served chain).
  let current = leaf;
  for (let depth = 0; depth < 5; depth++) {
    const anchor = cas.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
    if (anchor) break;
    const next = issuers.find((ca) => ca !== current && current.checkIssued(ca) && current.verify(ca.publicKey));
    if (!next || depth === 4) return `not signed by a CA of the caBundle (issuer: ${leaf.issuer.replace(/\n/g, ', ')})`;
    current = next;
  }
  if (leaf.checkHost(host) === undefined) return `not valid for ${host} (subject alternative names: ${leaf.subjectAltName ?? 'none'})`;
  if (new Date(leaf.validTo) < now) return `expired on ${leaf.validTo}`;
  if (new Date(leaf.validFrom) > now) return `not valid before ${leaf.validFrom}`;
  return undefined;
}

/** Every webhook's caBundle verifies the certificate the webhook pods serve (else the Secret's). */
export function checkCaBundle(view: ClusterView, target: CheckTarget, now = new Date()): CheckResult[] {
  const ours = injectionWebhooks(view).filter(isOurs(target));
  if (ours.length === 0) return [];
  const host = `${target.service}.${target.namespace}.svc`;
  const served = view.served.filter((s) => s.chain?.length);
  let chains = served.map((s) => ({ from: `served by ${s.endpoint}`, chain: s.chain! }));
  if (chains.length === 0) {
    const pem = (view.secret?.data as Record<string, string> | undefined)?.['tls.crt'];
    const fromSecret = base64Pem(pem);
    if (fromSecret.length === 0) {
      const unreachable = view.served.map((s) => `${s.endpoint}: ${s.error ?? 'no certificate'}`).join('; ');
      return [
        fail(
          `cannot compare the caBundle with a serving certificate: ${unreachable || 'no ready endpoint'}, and no readable tls.crt in Secret ${target.namespace}/${target.tlsSecret}`,
          'run check where the pod network is reachable, or allow it to read the Secret (--tls-secret names it)',
        ),
      ];
    }
    chains = [{ from: `in Secret ${target.namespace}/${target.tlsSecret} (the pods could not be reached from here)`, chain: fromSecret }];
  }
  return ours.map(({ webhook }) => {
    const cas = base64Pem(webhook.clientConfig?.caBundle);
    if (cas.length === 0) {
      return fail(
        `${webhook.name}: caBundle is empty or not PEM`,
        'the API server cannot call the webhook: set caBundle to the base64 PEM of the CA that signed the serving certificate (or let cert-manager inject it)',
      );
    }
    const problems = chains.flatMap(({ from, chain }) => {
      const problem = trustProblem(cas, chain, host, now);
      return problem ? [`the certificate ${from} is ${problem}`] : [];
    });
    return problems.length === 0
      ? pass(`${webhook.name}: caBundle verifies the serving certificate for ${host}`)
      : fail(`${webhook.name}: ${problems.join('; ')}`, 'the API server will refuse the TLS handshake: put the CA that signed the serving certificate in caBundle, or re-issue the certificate from that CA');
  });
}

/** The Service has ready endpoints: the API server has a pod to call. */
export function checkEndpoints(view: ClusterView, target: CheckTarget): CheckResult[] {
  const name = `${target.namespace}/${target.service}`;
  if (!view.service) return [fail(`service ${name} does not exist`, 'install the chart, or pass --namespace/--service of your installation')];
  if (view.readyEndpoints.length === 0) {
    return [
      fail(
        `service ${name} has no ready endpoints${view.notReadyEndpoints ? ` (${view.notReadyEndpoints} not ready)` : ''}`,
        `no webhook pod is ready: with failurePolicy Fail every pod creation in the selected namespaces fails. See kubectl -n ${target.namespace} get pods,events and the pods' /readyz`,
      ),
    ];
  }
  return [pass(`service ${name} has ${view.readyEndpoints.length} ready endpoint(s)`)];
}

/** kuma-cp's own injector (its chart registers namespace- and pods-kuma-injector.kuma.io for service kuma-control-plane) must be gone. */
export function checkKumaCpInjector(view: ClusterView, target: CheckTarget): CheckResult[] {
  const others = injectionWebhooks(view).filter((o) => !isOurs(target)(o));
  if (others.length === 0) return [pass("kuma-cp's injector is not registered (no other webhook for Pod CREATE at /inject-sidecar)")];
  return others.map(({ configuration, webhook }) => {
    const service = webhook.clientConfig?.service;
    return fail(
      `another injector is active: ${configuration.metadata.name}/${webhook.name} sends Pod CREATE to ${service ? `${service.namespace}/${service.name}` : webhook.clientConfig?.url}`,
      service?.name === 'kuma-control-plane'
        ? `kuma-cp's own injector: remove its injection webhooks from ${configuration.metadata.name} (kuma-cp 2.13 renders none in global mode), or pods get whichever sidecar comes first`
        : `two injectors on the same pods: the first one wins and the other skips (already injected); remove one`,
    );
  });
}

/** Namespace labels: typos of the injection label, and which namespaces our webhooks inject as a whole. */
export function checkNamespaces(view: ClusterView, target: CheckTarget): CheckResult[] {
  const ours = injectionWebhooks(view).filter(isOurs(target));
  const results: CheckResult[] = [];
  const selected: string[] = [];
  for (const namespace of view.namespaces) {
    const name = namespace.metadata.name;
    for (const hint of typoHints(`namespace ${name}`, namespace.metadata.labels)) results.push(fail(hint, 'fix the label: the pods of this namespace are not injected'));
    // A pod without labels of its own: is it sent to one of our webhooks?
    const labels = namespaceSelectorLabels(name, namespace.metadata.labels);
    if (ours.some(({ webhook }) => unmetRequirement(webhook.namespaceSelector, labels) === undefined && unmetRequirement(webhook.objectSelector, {}) === undefined)) {
      selected.push(name);
    }
  }
  if (results.length === 0) results.push(pass(`namespace labels: no typos of ${Keys.sidecarInjection} in ${view.namespaces.length} namespace(s)`));
  results.push(pass(`namespaces injected as a whole: ${selected.length ? selected.slice(0, 20).join(', ') + (selected.length > 20 ? ', ...' : '') : 'none'}`));
  return results;
}

export function allChecks(view: ClusterView, target: CheckTarget, now = new Date()): { section: string; results: CheckResult[] }[] {
  return [
    { section: 'webhook configuration', results: checkWebhookConfiguration(view, target) },
    { section: 'serving certificate', results: checkCaBundle(view, target, now) },
    { section: 'service', results: checkEndpoints(view, target) },
    { section: "kuma-cp's injector", results: checkKumaCpInjector(view, target) },
    { section: 'namespaces', results: checkNamespaces(view, target) },
  ];
}
