// The config-annotation path (opt-in in 2.13: runtime.kubernetes.injector.transparentProxyConfigMap).
import type { NamedPatches } from './container-patches.ts';
import { type InjectionContext, InjectionError } from './context.ts';
import type { PatchRecorder } from './patch-recorder.ts';
import type { Container } from './pod-types.ts';

export function configPathSetup(
  _recorder: PatchRecorder,
  _mesh: string,
  _ctx: InjectionContext,
  _initPatches: NamedPatches,
): Container | undefined {
  throw new InjectionError('not_implemented', 'the transparent-proxy ConfigMap path is not implemented yet');
}
