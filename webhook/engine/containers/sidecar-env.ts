// Environment of kuma-sidecar (2.13 containers/factory.go sidecarEnvVars):
// built-ins, then config envVars, then kuma.io/sidecar-env-vars; sorted by name.
import type { InjectorConfig, InjectorSettings } from '../../config/index.ts';
import type { InjectionContext } from '../context.ts';
import { wrapError } from '../errors.ts';
import { formatGoDuration, parseGoDuration } from '../../../go-compat/index.ts';
import { copyJson, type EnvVar, getMap, getString, Keys, type StringMap } from '../pod/index.ts';
import { probeProxyPortAnnotation, virtualProbesAnnotation } from '../probes/index.ts';
import { spireEnabled } from './spire.ts';

const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const XDS_VARIANT = 'KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT';

const fieldRef = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

/** Go's EnvVar JSON leaves out an empty value. */
const plain = (name: string, value: string): EnvVar => (value === '' ? { name } : { name, value });

/** The built-ins that follow from the config and settings alone (built once per context: fixed-parts.ts). */
export function builtinEnv(config: InjectorConfig, settings: InjectorSettings): EnvVar[] {
  const env: EnvVar[] = [
    fieldRef('POD_NAME', 'metadata.name'),
    fieldRef('POD_NAMESPACE', 'metadata.namespace'),
    fieldRef('INSTANCE_IP', 'status.podIP'),
    plain('KUMA_CONTROL_PLANE_URL', settings.controlPlaneUrl),
    plain('KUMA_DATAPLANE_RUNTIME_TOKEN_PATH', TOKEN_PATH),
    plain('KUMA_CONTROL_PLANE_CA_CERT', settings.caCert),
  ];
  if (settings.deltaXdsEnabled) env.push(plain(XDS_VARIANT, 'DELTA_GRPC'));
  const dns = config.builtinDNS;
  env.push(plain('KUMA_DNS_ENABLED', String(dns.enabled)));
  if (dns.enabled) {
    env.push(plain('KUMA_DNS_ENABLE_LOGGING', String(dns.logging)));
    if (dns.experimentalProxy) {
      env.push(plain('KUMA_DNS_PROXY_PORT', String(dns.port)));
    } else {
      env.push(
        plain('KUMA_DNS_CORE_DNS_PORT', String(dns.port)),
        plain('KUMA_DNS_ENVOY_DNS_PORT', String(dns.port + 2)),
        plain('KUMA_DNS_CORE_DNS_BINARY_PATH', 'coredns'),
      );
    }
  }
  if (config.unifiedResourceNamingEnabled) env.push(plain('KUMA_DATAPLANE_RUNTIME_UNIFIED_RESOURCE_NAMING_ENABLED', 'true'));
  return env;
}

/** The config's own envVars, which win over every built-in (built once per context). */
export const configEnv = (config: InjectorConfig): EnvVar[] =>
  Object.entries(config.sidecarContainer.envVars).map(([name, value]) => plain(name, value));

export function sidecarEnv(mesh: string, annotations: StringMap | undefined, ctx: InjectionContext): EnvVar[] {
  const { config } = ctx;
  const drainAnnotation = getString(annotations, Keys.sidecarDrainTime);
  const drainTime = drainAnnotation.exists ? parseGoDuration(drainAnnotation.value) : config.sidecarContainer.drainTime;

  // Later entries win over earlier ones with the same name, in Kuma's order:
  // built-ins, then the config's envVars, then the pod's annotation.
  const env = new Map<string, EnvVar>();
  const set = (variable: EnvVar): void => void env.set(variable.name, variable);
  for (const variable of ctx.fixed.builtinEnv) set(copyJson(variable));
  set(plain('KUMA_DATAPLANE_MESH', mesh));
  set(plain('KUMA_DATAPLANE_DRAIN_TIME', formatGoDuration(drainTime)));
  const xdsVariant = getString(annotations, Keys.xdsTransportProtocolVariant);
  if (xdsVariant.exists) set(plain(XDS_VARIANT, xdsVariant.value));

  const logLevel = getString(annotations, Keys.envoyLogLevel);
  if (logLevel.exists) set(plain('KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL', logLevel.value));
  const componentLogLevel = getString(annotations, Keys.envoyComponentLogLevel);
  if (componentLogLevel.exists) set(plain('KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL', componentLogLevel.value));

  if (spireEnabled(annotations, ctx)) set(plain('KUMA_DATAPLANE_RUNTIME_SPIRE_SUPPORTED', 'true'));

  // Only validates here; the written annotation comes later.
  wrapError(`unable to set ${Keys.virtualProbes}`, () => virtualProbesAnnotation(annotations, config.virtualProbesEnabled));
  const probeProxyPort = wrapError(`unable to set ${Keys.applicationProbeProxyPort}`, () =>
    probeProxyPortAnnotation(annotations, config.applicationProbeProxyPort),
  );
  set(plain('KUMA_APPLICATION_PROBE_PROXY_PORT', probeProxyPort));

  for (const variable of ctx.fixed.configEnv) set(copyJson(variable));
  for (const [name, value] of getMap(annotations, Keys.sidecarEnvVars)) set(plain(name, value));

  return [...env.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
