// Why the injector decides what it decides for one pod, step by step in Kuma
// 2.13's precheck order. The verdict is the engine's own (injectPod); this file
// only gathers the facts each step looked at and marks the step that decided.
import { type Container, DEFAULT_MESH, getEnabled, type InjectionContext, injectPod, Keys, type Pod, podNamespace, SIDECAR_CONTAINER } from '../engine/index.ts';
import type { KubeObject } from '../state/index.ts';
import { type Additions, additions } from './explain-additions.ts';
import type { WebhookMatch } from './webhook-selectors.ts';

export type StepName = 'namespace' | 'exception-labels' | 'existing-sidecar' | 'injection-label' | 'host-network' | 'mesh' | 'sidecar-uid' | 'mutation';

export interface Step {
  step: StepName;
  /** What the injector looked at and found. */
  finding: string;
  /** Set on the step that ended the decision. */
  decides?: 'skip' | 'refuse';
}

export interface Modes {
  /** native: kuma-sidecar in initContainers with restartPolicy Always; classic: spec.containers[0]. */
  placement: 'native' | 'classic';
  /** Where kuma-init (or kuma-validation) goes in classic placement. */
  initContainerFirst: boolean;
  /** legacy-annotations (2.13 default) or config-annotation (transparentProxyConfigMap set). */
  transparentProxy: 'legacy-annotations' | 'config-annotation';
  transparentProxyConfigMap?: string;
  /** CNI mode: kuma-validation (or nothing, for gateways) instead of kuma-init. */
  cni: boolean;
}

/** Whether the API server calls the injector for the pod at all (the webhooks' selectors). */
export interface WebhookReach {
  reached: boolean;
  /** Where the webhooks' selectors came from. */
  from: string;
  webhooks: WebhookMatch[];
}

export type InjectorVerdict = 'inject' | 'skip' | 'refuse';

export interface PodDecision {
  /** `unreached`: no webhook selects the pod, so it is created without a sidecar whatever the injector would decide. */
  verdict: InjectorVerdict | 'unreached';
  /** For `unreached`: what the injector would decide if it were called. */
  injectorVerdict?: InjectorVerdict;
  webhook?: WebhookReach;
  /** Likely typos in the injection labels of the pod and its namespace. */
  hints?: string[];
  /** The engine's reason code (skips and refusals). */
  reason?: string;
  /** The engine's message; for refusals, Kuma's exact error text. */
  message?: string;
  mesh?: string;
  steps: Step[];
  modes: Modes;
  added?: Additions;
  /** Kuma's warnings for this pod (deprecated annotations, ignored values). */
  warnings?: string[];
}

/** Which step a skip or refusal reason code belongs to. */
const stepOfReason: Record<string, StepName> = {
  namespace_not_found: 'namespace',
  exception_label: 'exception-labels',
  already_injected: 'existing-sidecar',
  disabled_by_pod: 'injection-label',
  not_enabled: 'injection-label',
  disabled_by_namespace: 'injection-label',
  invalid_label_value: 'injection-label',
  host_network: 'host-network',
  mesh_not_found: 'mesh',
  duplicate_uid: 'sidecar-uid',
};

const quoteMap = (map: Record<string, string>) =>
  Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

function injectionLabelFinding(pod: Pod, namespace: KubeObject | undefined, namespaceName: string): string {
  const podValue = pod.metadata?.labels?.[Keys.sidecarInjection];
  if (podValue !== undefined) return `pod label ${Keys.sidecarInjection}=${JSON.stringify(podValue)} (${labelMeaning(podValue)}; the pod label wins over the namespace)`;
  const nsValue = namespace?.metadata.labels?.[Keys.sidecarInjection];
  if (nsValue !== undefined) return `pod has no ${Keys.sidecarInjection} label; namespace ${namespaceName} has ${JSON.stringify(nsValue)} (${labelMeaning(nsValue)})`;
  const annotated = pod.metadata?.annotations?.[Keys.sidecarInjection] ?? namespace?.metadata.annotations?.[Keys.sidecarInjection];
  return `neither the pod nor namespace ${namespaceName} has the ${Keys.sidecarInjection} label${annotated !== undefined ? ' (an annotation of that name is not read)' : ''}`;
}

function labelMeaning(value: string): string {
  try {
    return getEnabled({ v: value }, 'v').value ? 'enabled' : 'disabled';
  } catch {
    return 'not a valid value: use enabled/disabled, true/false or yes/no';
  }
}

/** Where the mesh comes from: the first non-empty of these, in Kuma 2.13's order. */
function meshSource(pod: Pod, namespace: KubeObject): { mesh: string; from: string } {
  const sources: [string, string | undefined][] = [
    [`pod label ${Keys.mesh}`, pod.metadata?.labels?.[Keys.mesh]],
    [`pod annotation ${Keys.mesh} (deprecated)`, pod.metadata?.annotations?.[Keys.mesh]],
    [`namespace label ${Keys.mesh}`, namespace.metadata.labels?.[Keys.mesh]],
    [`namespace annotation ${Keys.mesh} (deprecated)`, namespace.metadata.annotations?.[Keys.mesh]],
  ];
  const found = sources.find(([, value]) => value);
  return found ? { mesh: found[1]!, from: found[0] } : { mesh: DEFAULT_MESH, from: 'the default (no pod or namespace label or annotation)' };
}

function uidFinding(pod: Pod, ctx: InjectionContext): string {
  const uid = ctx.config.sidecarContainer.uid;
  const clash = (list: Container[] | undefined) =>
    (list ?? []).filter((c) => c?.securityContext?.runAsUser === uid).map((c) => c.name);
  const apps = clash(pod.spec?.containers);
  const inits = clash(pod.spec?.initContainers);
  const parts = [apps.length ? `app containers run as the sidecar's UID ${uid}: ${apps.join(', ')}` : `no app container runs as the sidecar's UID ${uid}`];
  if (inits.length) parts.push(`init containers ${inits.join(', ')} do (allowed, Kuma only warns)`);
  return parts.join('; ');
}

function modesOf(pod: Pod, ctx: InjectionContext): Modes {
  let initFirst = false;
  try {
    initFirst = getEnabled(pod.metadata?.annotations, Keys.initFirst).value;
  } catch {
    // An invalid value refuses the pod in the mutation step; the mode is moot then.
  }
  const configMap = ctx.config.transparentProxyConfigMap;
  return {
    placement: ctx.settings.sidecarContainersEnabled ? 'native' : 'classic',
    initContainerFirst: ctx.settings.sidecarContainersEnabled || initFirst,
    transparentProxy: configMap ? 'config-annotation' : 'legacy-annotations',
    ...(configMap ? { transparentProxyConfigMap: configMap } : {}),
    cni: ctx.config.cniEnabled,
  };
}

/** The facts of every precheck step, in order (all of them, whatever the verdict). */
function precheckSteps(pod: Pod, ctx: InjectionContext): { steps: Step[]; mesh?: string } {
  const namespaceName = podNamespace(pod, ctx);
  const from = pod.metadata?.namespace ? 'the pod' : ctx.namespace ? 'the enclosing object, the request or --namespace' : 'the fallback';
  const namespace = ctx.state.namespace(namespaceName);
  const steps: Step[] = [
    { step: 'namespace', finding: `namespace ${namespaceName} (from ${from}) ${namespace ? 'exists' : 'is not in the cluster state'}` },
  ];
  const labels = pod.metadata?.labels ?? {};
  const matched = Object.entries(ctx.config.exceptions.labels).filter(
    ([key, value]) => Object.prototype.hasOwnProperty.call(labels, key) && (value === '*' || value === labels[key]),
  );
  const exceptions = ctx.config.exceptions.labels;
  steps.push({
    step: 'exception-labels',
    finding: matched.length
      ? `pod label matches the exception ${quoteMap(Object.fromEntries(matched))}`
      : `no exception label matches (${Object.keys(exceptions).length ? quoteMap(exceptions) : 'none configured'})`,
  });
  const sidecars = [
    ...(pod.spec?.containers ?? []).map((c, i) => [c, `containers[${i}]`] as const),
    ...(pod.spec?.initContainers ?? []).map((c, i) => [c, `initContainers[${i}]`] as const),
  ].filter(([c]) => c?.name === SIDECAR_CONTAINER);
  steps.push({
    step: 'existing-sidecar',
    finding: sidecars.length ? `already has ${SIDECAR_CONTAINER} at ${sidecars.map(([, at]) => at).join(', ')}` : `no container named ${SIDECAR_CONTAINER}`,
  });
  steps.push({ step: 'injection-label', finding: injectionLabelFinding(pod, namespace, namespaceName) });
  steps.push({
    step: 'host-network',
    finding: pod.spec?.hostNetwork === true ? 'spec.hostNetwork is true: never injected (the rules would land in the node)' : 'pod has its own network namespace',
  });
  if (!namespace) return { steps };
  const { mesh, from: meshFrom } = meshSource(pod, namespace);
  steps.push({ step: 'mesh', finding: `mesh ${mesh} from ${meshFrom}; Mesh ${mesh} ${ctx.state.mesh(mesh) ? 'exists' : 'does not exist'}` });
  steps.push({ step: 'sidecar-uid', finding: uidFinding(pod, ctx) });
  return { steps, mesh };
}

export function explainPod(pod: Pod, ctx: InjectionContext): PodDecision & { verdict: InjectorVerdict } {
  const outcome = injectPod(pod, ctx);
  const { steps, mesh } = precheckSteps(pod, ctx);
  const modes = modesOf(pod, ctx);
  const warnings = outcome.result !== 'refused' && outcome.warnings?.length ? { warnings: outcome.warnings } : {};
  if (outcome.result === 'injected') {
    return { verdict: 'inject', ...(mesh ? { mesh } : {}), steps, modes, added: additions(pod, outcome.pod, outcome.patch), ...warnings };
  }
  const verdict = outcome.result === 'skipped' ? 'skip' : 'refuse';
  const decisive = stepOfReason[outcome.reason];
  const upTo = decisive ? steps.findIndex((s) => s.step === decisive) : -1;
  // Steps after the deciding one were never reached; a refusal after the precheck comes from building the sidecar.
  const reached = upTo >= 0 ? steps.slice(0, upTo + 1) : [...steps, { step: 'mutation' as const, finding: 'building the sidecar and init container from the pod annotations' }];
  reached[reached.length - 1] = { ...reached[reached.length - 1]!, decides: verdict };
  return { verdict, reason: outcome.reason, message: outcome.message, ...(mesh && upTo < 0 ? { mesh } : {}), steps: reached, modes, ...warnings };
}
