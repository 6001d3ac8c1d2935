// Another injector got to the pod first: it arrives with a kuma-sidecar
// container this injector would not have added (kuma-cp's own injector with
// another config, or a different injector), or with Kuma's injected
// annotation but no sidecar. Kuma skips such a pod as "already injected" and
// says nothing; here the skip has its own reason code (a metric label and the
// admission log line's `reason`) and a warning (logged at warn level).
// A pod this injector injected itself (a second matching webhook) re-injects
// to the very same pod; that is how "ours" is told apart.
import { type InjectionContext, type InjectionOutcome, injectPod, Keys, type Pod, SIDECAR_CONTAINER } from '../engine/index.ts';
import { uninjectPod } from './uninject-pod.ts';

export const INJECTED_BY_ANOTHER = 'injected_by_another';

const FOREIGN_MESSAGE = `pod already has a ${SIDECAR_CONTAINER} container that this injector did not add (kuma-cp's injector or another one got there first)`;
const ANNOTATION_WARNING = `pod has annotation ${Keys.sidecarInjected}: "true" but no ${SIDECAR_CONTAINER} container: another injector marked it`;

/** injectPod, telling a sidecar this injector added from one another injector added. */
export function injectNoticingOthers(pod: Pod, ctx: InjectionContext): InjectionOutcome {
  const outcome = injectPod(pod, ctx);
  if (outcome.result === 'injected' && pod.metadata?.annotations?.[Keys.sidecarInjected] === 'true') {
    return { ...outcome, warnings: [...(outcome.warnings ?? []), ANNOTATION_WARNING] };
  }
  if (outcome.result !== 'skipped' || outcome.reason !== 'already_injected') return outcome;
  const reversed = uninjectPod(pod, ctx);
  if (reversed.result === 'uninjected' && reversed.mismatch === undefined) return outcome;
  return { result: 'skipped', reason: INJECTED_BY_ANOTHER, message: FOREIGN_MESSAGE, warnings: [`WARNING: ${FOREIGN_MESSAGE}`] };
}
