// Volumes and mounts the injector adds, with the names and paths of 2.13.
import { Keys } from './annotation-keys.ts';
import type { Json, VolumeMount } from './pod-types.ts';
import { shareValue } from './shared-value.ts';

const TP_BASE = '/tmp/transparent-proxy/base';
const TP_CUSTOM = '/tmp/transparent-proxy/custom';
const CONFIG_KEY = 'config.yaml';

// Shared values: every pod gets the same frozen objects, written from kept text.
export const Volumes = {
  initTmp: shareValue({ name: 'kuma-init-tmp', emptyDir: { sizeLimit: '10M' } }),
  sidecarTmp: shareValue({ name: 'kuma-sidecar-tmp', emptyDir: { sizeLimit: '10M' } }),
  spireSocket: shareValue({ name: 'kuma-spire-agent-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } }),
  tpBase: shareValue({
    name: 'transparent-proxy-base',
    downwardAPI: {
      items: [{ path: CONFIG_KEY, fieldRef: { fieldPath: `metadata.annotations['${Keys.transparentProxyConfig}']` } }],
    },
  }),
} satisfies Record<string, Json>;

export const tpCustomVolume = (configMap: string): Json => ({
  name: 'transparent-proxy-custom',
  configMap: { name: configMap },
});

export const hostPathVolume = (name: string, path: string): Json => ({ name, hostPath: { path } });

export const Mounts = {
  sidecarTmp: { name: 'kuma-sidecar-tmp', mountPath: '/tmp' },
  initTmp: { name: 'kuma-init-tmp', mountPath: '/tmp' },
  tpBase: { name: 'transparent-proxy-base', mountPath: TP_BASE, readOnly: true },
  tpCustom: { name: 'transparent-proxy-custom', mountPath: TP_CUSTOM, readOnly: true },
} satisfies Record<string, VolumeMount>;

export const TP_CONFIG_FLAGS = {
  sidecarBase: `--transparent-proxy-config=${TP_BASE}/${CONFIG_KEY}`,
  sidecarCustom: `--transparent-proxy-config=${TP_CUSTOM}/${CONFIG_KEY}`,
  initBase: `--config=${TP_BASE}/${CONFIG_KEY}`,
  initCustom: `--config=${TP_CUSTOM}/${CONFIG_KEY}`,
};
