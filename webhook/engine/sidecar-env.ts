// Environment of kuma-sidecar (2.13 containers/factory.go sidecarEnvVars):
// built-ins, then config envVars, then kuma.io/sidecar-env-vars; sorted by name.
import { getMap, getString, type StringMap } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import type { InjectorConfig } from '../config/injector-config.ts';
import type { InjectorSettings } from '../config/settings.ts';
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

type Entries = readonly (readonly [string, EnvVar])[];

/** The built-ins that follow from the config and settings alone (frozen: shared by every pod's env). */
function staticEntries(ctx: InjectionContext): Entries {
  const { config, settings } = ctx;
  const entries: EnvVar[] = [
    fieldRef('POD_NAME', 'metadata.name'),
    fieldRef('POD_NAMESPACE', 'metadata.namespace'),
    fieldRef('INSTANCE_IP', 'status.podIP'),
    plain('KUMA_CONTROL_PLANE_URL', settings.controlPlaneUrl),
    plain('KUMA_DATAPLANE_RUNTIME_TOKEN_PATH', TOKEN_PATH),
    plain('KUMA_CONTROL_PLANE_CA_CERT', settings.caCert),
  ];
  if (settings.deltaXdsEnabled) entries.push(plain(XDS_VARIANT, 'DELTA_GRPC'));
  const dns = config.builtinDNS;
  entries.push(plain('KUMA_DNS_ENABLED', String(dns.enabled)));
  if (dns.enabled) {
    entries.push(plain('KUMA_DNS_ENABLE_LOGGING', String(dns.logging)));
    if (dns.experimentalProxy) {
      entries.push(plain('KUMA_DNS_PROXY_PORT', String(dns.port)));
    } else {
      entries.push(
        plain('KUMA_DNS_CORE_DNS_PORT', String(dns.port)),
        plain('KUMA_DNS_ENVOY_DNS_PORT', String(dns.port + 2)),
        plain('KUMA_DNS_CORE_DNS_BINARY_PATH', 'coredns'),
      );
    }
  }
  if (config.unifiedResourceNamingEnabled) entries.push(plain('KUMA_DATAPLANE_RUNTIME_UNIFIED_RESOURCE_NAMING_ENABLED', 'true'));
  return entries.map((variable) => [variable.name, deepFreeze(variable)] as const);
}

/** The config's own envVars, which win over every built-in. */
const configEntries = (ctx: InjectionContext): Entries =>
  Object.entries(ctx.config.sidecarContainer.envVars).map(([name, value]) => [name, deepFreeze(plain(name, value))] as const);

// A loaded config and the construction settings do not change: their entries are built once.
const memo = new WeakMap<InjectorConfig, WeakMap<InjectorSettings, { before: Entries; after: Entries }>>();

function constantEntries(ctx: InjectionContext): { before: Entries; after: Entries } {
  let bySettings = memo.get(ctx.config);
  if (!bySettings) memo.set(ctx.config, (bySettings = new WeakMap()));
  let entries = bySettings.get(ctx.settings);
  if (!entries) bySettings.set(ctx.settings, (entries = { before: staticEntries(ctx), after: configEntries(ctx) }));
  return entries;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  return Object.freeze(value);
}

export function sidecarEnv(mesh: string, annotations: StringMap | undefined, ctx: InjectionContext): EnvVar[] {
  const { config } = ctx;
  const drainAnnotation = getString(annotations, Keys.sidecarDrainTime);
  const drainTime = drainAnnotation.exists ? parseGoDuration(drainAnnotation.value) : config.sidecarContainer.drainTime;
  const constant = constantEntries(ctx);

  // Later entries win over earlier ones with the same name, in Kuma's order:
  // built-ins, then the config's envVars, then the pod's annotation.
  const env = new Map<string, EnvVar>(constant.before);
  const set = (variable: EnvVar): void => void env.set(variable.name, variable);
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

  for (const [name, variable] of constant.after) env.set(name, variable);
  for (const [name, value] of getMap(annotations, Keys.sidecarEnvVars)) set(plain(name, value));

  return [...env.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
