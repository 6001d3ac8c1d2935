// Whether SPIRE support is on for a pod: k8s.kuma.io/spire-support, defaulting to the config.
import { getEnabled, type StringMap } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import { type InjectionContext, wrapError } from './context.ts';

export function spireEnabled(annotations: StringMap | undefined, ctx: InjectionContext): boolean {
  return wrapError(`getting ${Keys.spireSupport} annotation failed`, () =>
    getEnabled(annotations, Keys.spireSupport, ctx.config.spire.enabled),
  ).value;
}
