// Volumes and mounts the injector adds, with the names and paths of 2.13.
import { type Json, Keys, type VolumeMount } from '../pod/index.ts';

const TP_BASE = '/tmp/transparent-proxy/base';
const TP_CUSTOM = '/tmp/transparent-proxy/custom';
const CONFIG_KEY = 'config.yaml';

/** The volumes every injected pod gets, as one of its fixed parts (fixed-parts.ts). */
export const fixedVolumes = () =>
  ({
    initTmp: { name: 'kuma-init-tmp', emptyDir: { sizeLimit: '10M' } },
    sidecarTmp: { name: 'kuma-sidecar-tmp', emptyDir: { sizeLimit: '10M' } },
    spireSocket: { name: 'kuma-spire-agent-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } },
    tpBase: {
      name: 'transparent-proxy-base',
      downwardAPI: {
        items: [{ path: CONFIG_KEY, fieldRef: { fieldPath: `metadata.annotations['${Keys.transparentProxyConfig}']` } }],
      },
    },
  }) satisfies Record<string, Json>;

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
