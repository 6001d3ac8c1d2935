// kuma-init (iptables set-up) and kuma-validation (CNI mode) containers of
// 2.13 (injector.go NewInitContainer / NewValidationContainer); resources are
// hard-coded in 2.13. The parts that follow from the config alone are built
// once per context (fixed-parts.ts); each pod gets a copy with its own flags
// and mounts.
import type { InjectorConfig } from '../../config/index.ts';
import type { InjectionContext } from '../context.ts';
import { type Container, copyJson, getString, getUint32, INIT_CONTAINER, Keys, type StringMap, VALIDATION_CONTAINER, type VolumeMount } from '../pod/index.ts';
import { Mounts, TP_CONFIG_FLAGS } from './volumes.ts';

const DEFAULT_INBOUND_PORT = 15006;

const smallResources = (memoryLimit: string) => ({
  limits: { cpu: '100m', memory: memoryLimit },
  requests: { cpu: '20m', memory: '20M' },
});

/** kuma-init as every pod of this config gets it, before its flags; its mounts end with the eBPF ones. */
export function initContainerBase(config: InjectorConfig): Container {
  const container: Container = {
    name: INIT_CONTAINER,
    image: config.initContainer.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/usr/bin/kumactl', 'install', 'transparent-proxy'],
    args: [],
    // iptables needs a writable lock file
    env: [{ name: 'XTABLES_LOCKFILE', value: '/tmp/xtables.lock' }],
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    resources: smallResources('50M'),
    volumeMounts: [],
  };
  if (config.ebpf.enabled) {
    container.securityContext = { ...container.securityContext, capabilities: {}, privileged: true };
    container.env = [{ name: config.ebpf.instanceIPEnvVarName, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
    container.resources = smallResources('80M');
  }
  return container;
}

/** kuma-init with the kumactl flags `args` (the legacy path's; none on the ConfigMap path). */
export function newInitContainer(args: string[], annotations: StringMap | undefined, ctx: InjectionContext): Container {
  const { config } = ctx;
  const container = copyJson(ctx.fixed.initContainer);
  const mounts: VolumeMount[] = [{ ...Mounts.initTmp }];
  const allArgs = [...args];
  if (config.transparentProxyConfigMap !== '') {
    mounts.push({ ...Mounts.tpBase });
    allArgs.push(TP_CONFIG_FLAGS.initBase);
    if (annotations?.[Keys.transparentProxyConfigMapName]) {
      mounts.push({ ...Mounts.tpCustom });
      allArgs.push(TP_CONFIG_FLAGS.initCustom);
    }
  }
  if (allArgs.length > 0) container.args = allArgs;
  else delete container.args;
  if (config.ebpf.enabled) {
    mounts.push(
      { name: 'sys-fs-cgroup', mountPath: config.ebpf.cgroupPath },
      { name: 'bpf-fs', mountPath: config.ebpf.bpffsPath, mountPropagation: 'Bidirectional' },
    );
  }
  container.volumeMounts = mounts;
  return container;
}

/** kuma-validation as every pod of this config gets it, before its flags and mounts. */
export function validationContainerBase(config: InjectorConfig): Container {
  return {
    name: VALIDATION_CONTAINER,
    image: config.initContainer.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/usr/bin/kumactl', 'install', 'transparent-proxy-validator'],
    args: [],
    securityContext: {
      runAsUser: config.sidecarContainer.uid,
      runAsGroup: config.sidecarContainer.gid,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
    resources: smallResources('50M'),
    volumeMounts: [],
  };
}

export function newValidationContainer(annotations: StringMap | undefined, ctx: InjectionContext): Container {
  const container = copyJson(ctx.fixed.validationContainer);
  const mounts: VolumeMount[] = [{ ...Mounts.sidecarTmp }];
  const args = ['--config-file=/tmp/.kumactl'];
  if (ctx.config.transparentProxyConfigMap !== '') {
    mounts.push({ ...Mounts.tpBase });
    args.push(TP_CONFIG_FLAGS.sidecarBase);
    if (annotations?.[Keys.transparentProxyConfigMapName]) {
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
  container.args = args;
  container.volumeMounts = mounts;
  return container;
}
