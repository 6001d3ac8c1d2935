// kuma-init (iptables set-up) and kuma-validation (CNI mode) containers of
// 2.13 (injector.go NewInitContainer / NewValidationContainer); resources are
// hard-coded in 2.13. Each is kept and shared between the pods it is the same
// for: it is built from the config, the kumactl flags and the annotations
// picked below, and nothing else.
import { getString, getUint32, pickEntries, type StringMap } from './annotations.ts';
import { INIT_CONTAINER, Keys, VALIDATION_CONTAINER } from './annotation-keys.ts';
import type { InjectionContext } from './context.ts';
import { kept } from './kept-values.ts';
import type { Container, VolumeMount } from './pod-types.ts';
import { Mounts, TP_CONFIG_FLAGS } from './volumes.ts';

const DEFAULT_INBOUND_PORT = 15006;

const smallResources = (memoryLimit: string) => ({
  limits: { cpu: '100m', memory: memoryLimit },
  requests: { cpu: '20m', memory: '20M' },
});

export function newInitContainer(args: string[], annotations: StringMap | undefined, ctx: InjectionContext): Container {
  const customConfigMap = Boolean(annotations?.[Keys.transparentProxyConfigMapName]);
  return kept(ctx, `kuma-init\n${customConfigMap}\n${JSON.stringify(args)}`, () => buildInitContainer(args, customConfigMap, ctx));
}

function buildInitContainer(args: string[], customConfigMap: boolean, ctx: InjectionContext): Container {
  const { config } = ctx;
  const mounts: VolumeMount[] = [{ ...Mounts.initTmp }];
  const allArgs = [...args];
  if (config.transparentProxyConfigMap !== '') {
    mounts.push({ ...Mounts.tpBase });
    allArgs.push(TP_CONFIG_FLAGS.initBase);
    if (customConfigMap) {
      mounts.push({ ...Mounts.tpCustom });
      allArgs.push(TP_CONFIG_FLAGS.initCustom);
    }
  }
  const container: Container = {
    name: INIT_CONTAINER,
    image: config.initContainer.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/usr/bin/kumactl', 'install', 'transparent-proxy'],
    args: allArgs,
    // iptables needs a writable lock file
    env: [{ name: 'XTABLES_LOCKFILE', value: '/tmp/xtables.lock' }],
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    resources: smallResources('50M'),
    volumeMounts: mounts,
  };
  if (allArgs.length === 0) delete container.args;
  if (config.ebpf.enabled) {
    container.securityContext = { ...container.securityContext, capabilities: {}, privileged: true };
    container.env = [{ name: config.ebpf.instanceIPEnvVarName, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
    container.resources = smallResources('80M');
    mounts.push(
      { name: 'sys-fs-cgroup', mountPath: config.ebpf.cgroupPath },
      { name: 'bpf-fs', mountPath: config.ebpf.bpffsPath, mountPropagation: 'Bidirectional' },
    );
  }
  return container;
}

/** The annotations kuma-validation reads: its builder is given only these. */
const VALIDATION_ANNOTATIONS = [Keys.transparentProxyConfigMapName, Keys.ipFamilyMode, Keys.inboundPort];

export function newValidationContainer(annotations: StringMap | undefined, ctx: InjectionContext): Container {
  const picked = pickEntries(annotations, VALIDATION_ANNOTATIONS);
  return kept(ctx, `kuma-validation\n${JSON.stringify(picked)}`, () => buildValidationContainer(picked, ctx));
}

function buildValidationContainer(annotations: StringMap, ctx: InjectionContext): Container {
  const { config } = ctx;
  const mounts: VolumeMount[] = [{ ...Mounts.sidecarTmp }];
  const args = ['--config-file=/tmp/.kumactl'];
  if (config.transparentProxyConfigMap !== '') {
    mounts.push({ ...Mounts.tpBase });
    args.push(TP_CONFIG_FLAGS.sidecarBase);
    if (annotations[Keys.transparentProxyConfigMapName]) {
      mounts.push({ ...Mounts.tpCustom });
      args.push(TP_CONFIG_FLAGS.sidecarCustom);
    }
  } else {
    const ipFamilyMode = getString(annotations, Keys.ipFamilyMode).value || 'dualstack';
    let port = DEFAULT_INBOUND_PORT;
    try {
      const annotated = getUint32(annotations, Keys.inboundPort);
      if (annotated.exists) port = annotated.value;
    } catch {
      // an unparsable port falls back to the default, as in 2.13
    }
    args.push(`--ip-family-mode=${ipFamilyMode}`, `--validation-server-port=${port}`);
  }
  return {
    name: VALIDATION_CONTAINER,
    image: config.initContainer.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/usr/bin/kumactl', 'install', 'transparent-proxy-validator'],
    args,
    securityContext: {
      runAsUser: config.sidecarContainer.uid,
      runAsGroup: config.sidecarContainer.gid,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
    resources: smallResources('50M'),
    volumeMounts: mounts,
  };
}
