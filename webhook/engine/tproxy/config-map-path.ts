// The ConfigMap path (opt-in in 2.13 with
// runtime.kubernetes.injector.transparentProxyConfigMap): the merged
// transparent-proxy config travels in one annotation, read by kuma-init,
// kuma-cni and kuma-dp from a downward-API volume.
import { applyContainerPatches, injectedVolume, newInitContainer, newValidationContainer, tpCustomVolume } from '../containers/index.ts';
import { wrapError } from '../errors.ts';
import { getUint32, Keys, KUMA_CNI } from '../pod/index.ts';
import { probeProxyPortForConfig, virtualProbesAnnotation } from '../probes/index.ts';
import { configPathWarnings } from './path-warnings.ts';
import { transparentProxyConfigAnnotation } from './tproxy-config-annotation.ts';
import { configMapBase, mergeForKubernetes } from './tproxy-config-merge.ts';
import { ANNOTATIONS, annotationsOf, LABELS, type TproxyPath } from './tproxy-path.ts';

export const configMapPath: TproxyPath = (recorder, mesh, ctx, initPatches, warnings) => {
  const annotations = () => annotationsOf(recorder);
  warnings.push(...configPathWarnings(annotations()));
  const base = wrapError('could not retrieve transparent proxy configuration', () => configMapBase(ctx), 'transparent_proxy_config_unavailable');
  const config = mergeForKubernetes(base, annotations(), ctx);

  recorder.append(['spec', 'volumes'], injectedVolume(ctx.fixed, 'tpBase'));
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
  recorder.setEntries(ANNOTATIONS, written);
  recorder.setEntry(LABELS, Keys.mesh, mesh);

  if (!config.cniMode) return applyContainerPatches(newInitContainer([], annotations(), ctx), initPatches);
  if (config.redirect.inbound.enabled) return applyContainerPatches(newValidationContainer(annotations(), ctx), initPatches);
  return undefined;
};
