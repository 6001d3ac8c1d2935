// The config-annotation path (opt-in in 2.13 with
// runtime.kubernetes.injector.transparentProxyConfigMap): the merged
// transparent-proxy config travels in one annotation, read by kuma-init,
// kuma-cni and kuma-dp from a downward-API volume.
import { getUint32 } from './annotations.ts';
import { Keys, KUMA_CNI } from './annotation-keys.ts';
import { applyContainerPatches, type NamedPatches } from './container-patches.ts';
import { type InjectionContext, wrapError } from './context.ts';
import { newInitContainer, newValidationContainer } from './init-containers.ts';
import type { PatchRecorder } from './patch-recorder.ts';
import type { Container } from './pod-types.ts';
import { probeProxyPortForConfig, virtualProbesAnnotation } from './probe-annotations.ts';
import { transparentProxyConfigAnnotation } from './tproxy-config-annotation.ts';
import { configMapBase, mergeForKubernetes } from './tproxy-config-merge.ts';
import { tpCustomVolume, Volumes } from './volumes.ts';
import { configPathWarnings } from './warnings.ts';

const ANNOTATIONS = ['metadata', 'annotations'] as const;

export function configPathSetup(
  recorder: PatchRecorder,
  mesh: string,
  ctx: InjectionContext,
  initPatches: NamedPatches,
  warnings: string[],
): Container | undefined {
  const annotations = () => recorder.get(ANNOTATIONS) as Record<string, string> | undefined;
  warnings.push(...configPathWarnings(annotations()));
  const base = wrapError('could not retrieve transparent proxy configuration', () => configMapBase(ctx), 'transparent_proxy_config_unavailable');
  const config = mergeForKubernetes(base, annotations(), ctx);

  recorder.append(['spec', 'volumes'], Volumes.tpBase);
  const customConfigMap = annotations()?.[Keys.transparentProxyConfigMapName];
  if (customConfigMap) recorder.append(['spec', 'volumes'], tpCustomVolume(customConfigMap));

  const written = wrapError('could not generate annotations for pod', () => {
    const pod = annotations();
    const result: Record<string, string> = {
      [Keys.sidecarInjected]: 'true',
      [Keys.transparentProxyConfig]: transparentProxyConfigAnnotation(config),
    };
    if (config.cniMode) result[Keys.cncfNetworks] = KUMA_CNI;
    result[Keys.virtualProbes] = wrapError(`unable to set ${Keys.virtualProbes}`, () =>
      virtualProbesAnnotation(pod, ctx.config.virtualProbesEnabled),
    );
    result[Keys.virtualProbesPort] = String(ctx.config.virtualProbesPort);
    result[Keys.applicationProbeProxyPort] = wrapError(`unable to set ${Keys.applicationProbeProxyPort}`, () =>
      String(probeProxyPortForConfig(pod, ctx.config.applicationProbeProxyPort)),
    );
    result[Keys.envoyAdminPort] = String(getUint32(result, Keys.envoyAdminPort, ctx.settings.envoyAdminPort).value);
    return result;
  });
  for (const [key, value] of Object.entries(written)) recorder.setEntry(ANNOTATIONS, key, value);
  recorder.setEntry(['metadata', 'labels'], Keys.mesh, mesh);

  if (!config.cniMode) return applyContainerPatches(newInitContainer([], annotations(), ctx), initPatches);
  if (config.redirect.inbound.enabled) return applyContainerPatches(newValidationContainer(annotations(), ctx), initPatches);
  return undefined;
}
