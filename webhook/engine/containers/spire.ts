// Whether SPIRE support is on for a pod: k8s.kuma.io/spire-support, defaulting to the config.
import type { InjectionContext } from '../context.ts';
import { wrapError } from '../errors.ts';
import { getEnabled, Keys, type StringMap } from '../pod/index.ts';

export function spireEnabled(annotations: StringMap | undefined, ctx: InjectionContext): boolean {
  return wrapError(`getting ${Keys.spireSupport} annotation failed`, () =>
    getEnabled(annotations, Keys.spireSupport, ctx.config.spire.enabled),
  ).value;
}
