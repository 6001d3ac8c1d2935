// The kuma-sidecar container (2.13 containers/factory.go NewContainer plus
// injector.go NewSidecarContainer / NewVolumeMounts), and its native-sidecar
// form. Placement (classic or native) is decided by the caller.
import type { ProbeSettings } from '../../config/index.ts';
import type { InjectionContext } from '../context.ts';
import { InjectionError } from '../errors.ts';
import { type Container, copyJson, getEnabled, getString, getUint32, type Json, Keys, type Pod, SIDECAR_CONTAINER, type VolumeMount } from '../pod/index.ts';
import { sidecarEnv } from './sidecar-env.ts';
import { spireEnabled } from './spire.ts';
import { Mounts, TP_CONFIG_FLAGS } from './volumes.ts';

export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

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
  const { config, settings, fixed } = ctx;
  const sidecar = config.sidecarContainer;
  const env = sidecarEnv(mesh, annotations, ctx);
  const concurrency = getUint32(annotations, Keys.sidecarConcurrency);
  const cpuCount = concurrency.exists ? concurrency.value : fixed.defaultConcurrency;
  const adminPort = getUint32(annotations, Keys.envoyAdminPort).value || settings.envoyAdminPort;
  const waitForReady = getEnabled(annotations, Keys.waitForDataplaneReady, sidecar.waitForDataplaneReady).value;

  const args = ['run', '--log-level=info'];
  if (cpuCount > 0) args.push(`--concurrency=${cpuCount}`);
  if (config.transparentProxyConfigMap !== '') {
    args.push(TP_CONFIG_FLAGS.sidecarBase);
    if (annotations?.[Keys.transparentProxyConfigMapName]) args.push(TP_CONFIG_FLAGS.sidecarCustom);
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
    resources: copyJson(fixed.sidecarResources),
  };
  if (settings.sidecarContainersEnabled) container.startupProbe = readyProbe(adminPort, sidecar.startupProbe, 1);
  if (waitForReady) {
    container.lifecycle = {
      postStart: { exec: { command: ['kuma-dp', 'wait', '--url', `http://localhost:${adminPort}/ready`] } },
    };
  }
  container.volumeMounts = volumeMounts(pod, ctx);
  return container;
}

/** The sidecar as a native sidecar: an init container that restarts always and drains (SIGUSR2 to kuma-dp) when the pod stops. */
export function asNativeSidecar(container: Container): Container {
  return { ...container, restartPolicy: 'Always', lifecycle: { preStop: { exec: { command: ['killall', '-USR2', 'kuma-dp'] } } } };
}
