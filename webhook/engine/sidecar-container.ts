// The kuma-sidecar container (2.13 containers/factory.go NewContainer plus
// injector.go NewSidecarContainer / NewVolumeMounts), and its native-sidecar
// form. Placement (classic or native) is decided by the caller.
import type { InjectorConfig, ProbeSettings } from '../config/injector-config.ts';
import { getEnabled, getString, getUint32, pickEntries, type StringMap } from './annotations.ts';
import { Keys, SIDECAR_CONTAINER } from './annotation-keys.ts';
import { type InjectionContext, InjectionError } from './context.ts';
import { kept } from './kept-values.ts';
import type { Container, EnvVar, Json, Pod, VolumeMount } from './pod-types.ts';
import { canonicalQuantity, milliValue } from './quantity.ts';
import { derivedValue } from './shared-value.ts';
import { sidecarEnv } from './sidecar-env.ts';
import { spireEnabled } from './spire.ts';
import { Mounts, TP_CONFIG_FLAGS } from './volumes.ts';

/** Every annotation the sidecar's environment reads: sidecarEnv is given only these. */
const ENV_ANNOTATIONS = [
  Keys.sidecarDrainTime,
  Keys.xdsTransportProtocolVariant,
  Keys.envoyLogLevel,
  Keys.envoyComponentLogLevel,
  Keys.spireSupport,
  Keys.virtualProbes,
  Keys.gateway,
  Keys.applicationProbeProxyPort,
  Keys.sidecarEnvVars,
];

export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

type ResourcesConfig = InjectorConfig['sidecarContainer']['resources'];

/**
 * The concurrency the config's CPU limit implies, parsed once per loaded config
 * (which does not change); still first computed where Kuma computes it, so a
 * bad quantity fails at the same step, with the same error.
 */
const defaultConcurrency = new WeakMap<ResourcesConfig, number>();

function concurrency(annotations: StringMap | undefined, resources: ResourcesConfig): number {
  const annotated = getUint32(annotations, Keys.sidecarConcurrency);
  if (annotated.exists) return annotated.value;
  let cpus = defaultConcurrency.get(resources);
  if (cpus === undefined) defaultConcurrency.set(resources, (cpus = Math.max(Math.floor(milliValue(resources.limits.cpu) / 1000), 2)));
  return cpus;
}

function resourcesBlock(resources: ResourcesConfig): NonNullable<Container['resources']> {
  return {
    requests: { cpu: canonicalQuantity(resources.requests.cpu), memory: canonicalQuantity(resources.requests.memory), 'ephemeral-storage': '50M' },
    limits: { cpu: canonicalQuantity(resources.limits.cpu), memory: canonicalQuantity(resources.limits.memory), 'ephemeral-storage': '1G' },
  };
}

/** A probe on the admin port's /ready; Go leaves out zero-valued fields. */
function readyProbe(port: number, settings: ProbeSettings, successThreshold: number): Json {
  const probe: Json = { httpGet: { path: '/ready', port } };
  const fields: [string, number][] = [
    ['initialDelaySeconds', settings.initialDelaySeconds],
    ['timeoutSeconds', settings.timeoutSeconds],
    ['periodSeconds', settings.periodSeconds],
    ['successThreshold', successThreshold],
    ['failureThreshold', settings.failureThreshold],
  ];
  for (const [field, value] of fields) if (value !== 0) probe[field] = value;
  return probe;
}

function volumeMounts(pod: Pod, ctx: InjectionContext): VolumeMount[] {
  const annotations = pod.metadata?.annotations;
  const mounts: VolumeMount[] = [{ ...Mounts.sidecarTmp }];
  if (ctx.config.transparentProxyConfigMap !== '') {
    mounts.push({ ...Mounts.tpBase });
    if (annotations?.[Keys.transparentProxyConfigMapName]) mounts.push({ ...Mounts.tpCustom });
  }
  const tokenVolume = getString(annotations, Keys.serviceAccountTokenVolume);
  if (tokenVolume.exists) {
    if (!(pod.spec?.volumes ?? []).some((volume) => volume?.name === tokenVolume.value)) {
      throw new InjectionError(
        'token_volume_missing',
        `volume (${tokenVolume.value}) specified for ${Keys.serviceAccountTokenVolume} but volume does not exist in pod spec`,
      );
    }
    return [...mounts, { name: tokenVolume.value, mountPath: SERVICE_ACCOUNT_TOKEN_PATH, readOnly: true }];
  }
  if (spireEnabled(annotations, ctx)) {
    mounts.push({ name: 'kuma-spire-agent-socket', mountPath: ctx.config.spire.mountPath, readOnly: true });
  }
  for (const container of pod.spec?.containers ?? []) {
    const token = container?.volumeMounts?.find((mount) => mount?.mountPath === SERVICE_ACCOUNT_TOKEN_PATH);
    if (token) return [...mounts, { ...token }];
  }
  return mounts;
}

/**
 * The sidecar in two parts: all but its volume mounts, which follows from the
 * config, the mesh and a few annotations and is kept and shared by the pods it
 * is the same for; and the volume mounts, the pod's own (its token volume).
 */
export interface SidecarParts {
  shared: Container;
  volumeMounts: VolumeMount[];
}

export function newSidecarContainer(pod: Pod, mesh: string, ctx: InjectionContext): SidecarParts {
  const annotations = pod.metadata?.annotations;
  const envAnnotations = pickEntries(annotations, ENV_ANNOTATIONS);
  const envKey = `${mesh}\n${JSON.stringify(envAnnotations)}`;
  const env = kept(ctx, `sidecar env\n${envKey}`, () => sidecarEnv(mesh, envAnnotations, ctx));
  const inputs: SidecarInputs = {
    cpuCount: concurrency(annotations, ctx.config.sidecarContainer.resources),
    adminPort: getUint32(annotations, Keys.envoyAdminPort).value || ctx.settings.envoyAdminPort,
    waitForReady: getEnabled(annotations, Keys.waitForDataplaneReady, ctx.config.sidecarContainer.waitForDataplaneReady).value,
    customConfigMap: Boolean(annotations?.[Keys.transparentProxyConfigMapName]),
  };
  const shared = kept(ctx, `kuma-sidecar\n${envKey}\n${JSON.stringify(inputs)}`, () => sharedSidecar(env, inputs, ctx));
  return { shared, volumeMounts: volumeMounts(pod, ctx) };
}

/** A native sidecar's lifecycle: kuma-dp drains on SIGUSR2 when the pod stops. */
const nativeLifecycle = () => ({ preStop: { exec: { command: ['killall', '-USR2', 'kuma-dp'] } } });

/**
 * The sidecar as a native sidecar (an init container that restarts always and
 * drains on stop); shared, and built once, when `container` is.
 */
export function asNativeSidecar(container: Container): Container {
  return derivedValue(container, 'native sidecar', (): Container => ({ ...container, restartPolicy: 'Always', lifecycle: nativeLifecycle() }));
}

/** What the sidecar is built from besides its environment and the pod's volume mounts. */
interface SidecarInputs {
  cpuCount: number;
  adminPort: number;
  waitForReady: boolean;
  customConfigMap: boolean;
}

/** Everything in the sidecar but its volume mounts. */
function sharedSidecar(env: EnvVar[], inputs: SidecarInputs, ctx: InjectionContext): Container {
  const sidecar = ctx.config.sidecarContainer;
  const { cpuCount, adminPort } = inputs;
  const args = ['run', '--log-level=info'];
  if (cpuCount > 0) args.push(`--concurrency=${cpuCount}`);
  if (ctx.config.transparentProxyConfigMap !== '') {
    args.push(TP_CONFIG_FLAGS.sidecarBase);
    if (inputs.customConfigMap) args.push(TP_CONFIG_FLAGS.sidecarCustom);
  }
  const container: Container = {
    name: SIDECAR_CONTAINER,
    image: sidecar.image,
    imagePullPolicy: 'IfNotPresent',
    args,
    env,
    securityContext: {
      runAsUser: sidecar.uid,
      runAsGroup: sidecar.gid,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
    livenessProbe: readyProbe(adminPort, sidecar.livenessProbe, 1),
    readinessProbe: readyProbe(adminPort, sidecar.readinessProbe, sidecar.readinessProbe.successThreshold),
    resources: resourcesBlock(sidecar.resources),
  };
  if (ctx.settings.sidecarContainersEnabled) container.startupProbe = readyProbe(adminPort, sidecar.startupProbe, 1);
  if (inputs.waitForReady) {
    container.lifecycle = {
      postStart: { exec: { command: ['kuma-dp', 'wait', '--url', `http://localhost:${adminPort}/ready`] } },
    };
  }
  return container;
}
