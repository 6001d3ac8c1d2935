// The kuma-sidecar container (2.13 containers/factory.go NewContainer plus
// injector.go NewSidecarContainer / NewVolumeMounts). Placement (classic or
// native) is decided by the caller.
import type { InjectorConfig, ProbeSettings } from '../config/injector-config.ts';
import { getEnabled, getString, getUint32, type StringMap } from './annotations.ts';
import { Keys, SIDECAR_CONTAINER } from './annotation-keys.ts';
import { type InjectionContext, InjectionError } from './context.ts';
import type { Container, Json, Pod, VolumeMount } from './pod-types.ts';
import { canonicalQuantity, milliValue } from './quantity.ts';
import { sidecarEnv } from './sidecar-env.ts';
import { spireEnabled } from './spire.ts';
import { Mounts, TP_CONFIG_FLAGS } from './volumes.ts';

export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

type ResourcesConfig = InjectorConfig['sidecarContainer']['resources'];

/**
 * What the config's resources imply, filled in on first use. A loaded config
 * does not change, so its quantities are parsed once, not per pod; each part
 * is still first computed where Kuma computes it, so a bad quantity fails at
 * the same step (with the same error) as before.
 */
interface ResourcesMemo {
  defaultConcurrency?: number;
  requests?: { cpu: string; memory: string };
  limits?: { cpu: string; memory: string };
}

const memoByResources = new WeakMap<ResourcesConfig, ResourcesMemo>();

function memoOf(resources: ResourcesConfig): ResourcesMemo {
  let memo = memoByResources.get(resources);
  if (!memo) memoByResources.set(resources, (memo = {}));
  return memo;
}

function concurrency(annotations: StringMap | undefined, resources: ResourcesConfig): number {
  const annotated = getUint32(annotations, Keys.sidecarConcurrency);
  if (annotated.exists) return annotated.value;
  const memo = memoOf(resources);
  memo.defaultConcurrency ??= Math.max(Math.floor(milliValue(resources.limits.cpu) / 1000), 2);
  return memo.defaultConcurrency;
}

function resourcesBlock(resources: ResourcesConfig): Container['resources'] {
  const memo = memoOf(resources);
  memo.requests ??= { cpu: canonicalQuantity(resources.requests.cpu), memory: canonicalQuantity(resources.requests.memory) };
  memo.limits ??= { cpu: canonicalQuantity(resources.limits.cpu), memory: canonicalQuantity(resources.limits.memory) };
  return {
    requests: { ...memo.requests, 'ephemeral-storage': '50M' },
    limits: { ...memo.limits, 'ephemeral-storage': '1G' },
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

export function newSidecarContainer(pod: Pod, mesh: string, ctx: InjectionContext): Container {
  const annotations = pod.metadata?.annotations;
  const sidecar = ctx.config.sidecarContainer;
  const env = sidecarEnv(mesh, annotations, ctx);
  const cpuCount = concurrency(annotations, sidecar.resources);
  const adminPort = getUint32(annotations, Keys.envoyAdminPort).value || ctx.settings.envoyAdminPort;
  const waitForReady = getEnabled(annotations, Keys.waitForDataplaneReady, sidecar.waitForDataplaneReady).value;

  const args = ['run', '--log-level=info'];
  if (cpuCount > 0) args.push(`--concurrency=${cpuCount}`);
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
  if (waitForReady) {
    container.lifecycle = {
      postStart: { exec: { command: ['kuma-dp', 'wait', '--url', `http://localhost:${adminPort}/ready`] } },
    };
  }
  container.volumeMounts = volumeMounts(pod, ctx);
  if (ctx.config.transparentProxyConfigMap !== '') {
    args.push(TP_CONFIG_FLAGS.sidecarBase);
    if (annotations?.[Keys.transparentProxyConfigMapName]) args.push(TP_CONFIG_FLAGS.sidecarCustom);
  }
  return container;
}
