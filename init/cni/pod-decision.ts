// What kuma-cni does for one pod, as Kuma 2.13.10 decides it (kumahq/kuma@v2.13.10:
// app/cni/pkg/cni/{kubernetes_linux.go,main_linux.go}): skip it (the
// prevResult passes through unchanged) or install the transparent proxy with
// a config taken from the config annotation or, when that is absent, from
// the legacy annotations (legacy-annotations.ts). Pure; a bad config is a
// CniError, because a pod the mesh expects must not start without its rules.
import { applyConfigDocument, ConfigError, defaultConfig, refuseUnsupported, type TransparentProxyConfig } from '../config/index.ts';
import { CniError } from './errors.ts';
import { configFromLegacyAnnotations, type Annotations } from './legacy-annotations.ts';
import type { K8sArgs } from './plugin-config.ts';

export const CONFIG_ANNOTATION = 'traffic.kuma.io/transparent-proxy-config';
const INJECTED_ANNOTATION = 'kuma.io/sidecar-injected';

/** The parts of a Pod the plugin reads. */
export interface PodView {
  containers: readonly string[];
  initContainers: readonly string[];
  annotations: Annotations;
}

export type Skip = { kind: 'skip'; reason: string };
export type BeforeFetch = Skip | { kind: 'fetch'; namespace: string; name: string };
export type PodDecision = Skip | { kind: 'install'; source: 'config-annotation' | 'legacy-annotations'; config: TransparentProxyConfig };

/** The checks made before any API call. */
export function decideBeforeFetch(args: K8sArgs, excludeNamespaces: readonly string[]): BeforeFetch {
  const { podNamespace: namespace, podName: name } = args;
  if (namespace === '' || name === '') return { kind: 'skip', reason: 'pod namespace or pod name is empty' };
  if (excludeNamespaces.includes(namespace)) return { kind: 'skip', reason: 'namespace is in the exclude list' };
  return { kind: 'fetch', namespace, name };
}

/**
 * The config annotation over DefaultConfig(), as `--config` reads it, without env vars or fix-ups;
 * then kuma-init's two refusals (eBPF, inbound UID exclusions; docs/tproxy-config.md), so CNI mode
 * does not install what init mode refuses.
 */
function configFromAnnotation(text: string): TransparentProxyConfig {
  const config = defaultConfig();
  try {
    applyConfigDocument(config, text);
    refuseUnsupported(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CniError(
      'CONFIG_ANNOTATION',
      `failed to retrieve transparent proxy configuration: failed to load transparent proxy configuration from '${CONFIG_ANNOTATION}' annotation: ${error.message}`,
    );
  }
  return config;
}

export function decideForPod(pod: PodView): PodDecision {
  if (pod.initContainers.includes('kuma-init')) return { kind: 'skip', reason: 'pod already injected with kuma-init container' };
  if (!pod.containers.includes('kuma-sidecar') && !pod.initContainers.includes('kuma-sidecar')) {
    return { kind: 'skip', reason: 'missing required kuma-sidecar container' };
  }
  if (pod.annotations.get(INJECTED_ANNOTATION) !== 'true') {
    return { kind: 'skip', reason: `annotation '${INJECTED_ANNOTATION}' is missing or is not set to 'true'` };
  }
  const text = pod.annotations.get(CONFIG_ANNOTATION) ?? '';
  if (text !== '') return { kind: 'install', source: 'config-annotation', config: configFromAnnotation(text) };
  return { kind: 'install', source: 'legacy-annotations', config: configFromLegacyAnnotations(pod.annotations) };
}
