// Environment of kuma-sidecar (2.13 containers/factory.go sidecarEnvVars):
// built-ins, then config envVars, then kuma.io/sidecar-env-vars; sorted by name.
import { getMap, getString, type StringMap } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import { type InjectionContext, wrapError } from './context.ts';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';
import type { EnvVar } from './pod-types.ts';
import { probeProxyPortAnnotation, virtualProbesAnnotation } from './probe-annotations.ts';
import { spireEnabled } from './spire.ts';

const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const XDS_VARIANT = 'KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT';

const fieldRef = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

/** Go's EnvVar JSON leaves out an empty value. */
const plain = (name: string, value: string): EnvVar => (value === '' ? { name } : { name, value });

export function sidecarEnv(mesh: string, annotations: StringMap | undefined, ctx: InjectionContext): EnvVar[] {
  const { config, settings } = ctx;
  const drainAnnotation = getString(annotations, Keys.sidecarDrainTime);
  const drainTime = drainAnnotation.exists ? parseGoDuration(drainAnnotation.value) : config.sidecarContainer.drainTime;

  const env = new Map<string, EnvVar>();
  const set = (variable: EnvVar): void => void env.set(variable.name, variable);
  set(fieldRef('POD_NAME', 'metadata.name'));
  set(fieldRef('POD_NAMESPACE', 'metadata.namespace'));
  set(fieldRef('INSTANCE_IP', 'status.podIP'));
  set(plain('KUMA_CONTROL_PLANE_URL', settings.controlPlaneUrl));
  set(plain('KUMA_DATAPLANE_MESH', mesh));
  set(plain('KUMA_DATAPLANE_DRAIN_TIME', formatGoDuration(drainTime)));
  set(plain('KUMA_DATAPLANE_RUNTIME_TOKEN_PATH', TOKEN_PATH));
  set(plain('KUMA_CONTROL_PLANE_CA_CERT', settings.caCert));
  if (settings.deltaXdsEnabled) set(plain(XDS_VARIANT, 'DELTA_GRPC'));
  const xdsVariant = getString(annotations, Keys.xdsTransportProtocolVariant);
  if (xdsVariant.exists) set(plain(XDS_VARIANT, xdsVariant.value));

  const dns = config.builtinDNS;
  set(plain('KUMA_DNS_ENABLED', String(dns.enabled)));
  if (dns.enabled) {
    set(plain('KUMA_DNS_ENABLE_LOGGING', String(dns.logging)));
    if (dns.experimentalProxy) {
      set(plain('KUMA_DNS_PROXY_PORT', String(dns.port)));
    } else {
      set(plain('KUMA_DNS_CORE_DNS_PORT', String(dns.port)));
      set(plain('KUMA_DNS_ENVOY_DNS_PORT', String(dns.port + 2)));
      set(plain('KUMA_DNS_CORE_DNS_BINARY_PATH', 'coredns'));
    }
  }

  const logLevel = getString(annotations, Keys.envoyLogLevel);
  if (logLevel.exists) set(plain('KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL', logLevel.value));
  const componentLogLevel = getString(annotations, Keys.envoyComponentLogLevel);
  if (componentLogLevel.exists) set(plain('KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL', componentLogLevel.value));
  if (config.unifiedResourceNamingEnabled) set(plain('KUMA_DATAPLANE_RUNTIME_UNIFIED_RESOURCE_NAMING_ENABLED', 'true'));

  if (spireEnabled(annotations, ctx)) set(plain('KUMA_DATAPLANE_RUNTIME_SPIRE_SUPPORTED', 'true'));

  // Only validates here; the written annotation comes later.
  wrapError(`unable to set ${Keys.virtualProbes}`, () => virtualProbesAnnotation(annotations, config.virtualProbesEnabled));
  const probeProxyPort = wrapError(`unable to set ${Keys.applicationProbeProxyPort}`, () =>
    probeProxyPortAnnotation(annotations, config.applicationProbeProxyPort),
  );
  set(plain('KUMA_APPLICATION_PROBE_PROXY_PORT', probeProxyPort));

  for (const [name, value] of Object.entries(config.sidecarContainer.envVars)) set(plain(name, value));
  for (const [name, value] of getMap(annotations, Keys.sidecarEnvVars)) set(plain(name, value));

  return [...env.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
