// A node's directories in a temp dir, standing in for the container's mounts:
// the host conf dir (/host/etc/cni/net.d), the host bin dirs, the projected
// service-account dir (token behind kubelet's `..data` link) and the plugin
// binary of the image (a small file: the agent only copies it).
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The kuma-cni entry of Kuma's Helm chart (cni-configmap.yaml), as CNI_NETWORK_CONFIG holds it. */
export const HELM_NETWORK_CONFIG = `{
  "cniVersion": "0.3.1",
  "name": "kuma-cni",
  "type": "kuma-cni",
  "log_level": "info",
  "kubernetes": {
      "kubeconfig": "__KUBECONFIG_FILEPATH__",
      "cni_bin_dir": "/var/lib/cni/bin",
      "exclude_namespaces": [ "kube-system" ]
  }
}`;

export interface NodeDirs {
  root: string;
  confDir: string;
  binDir: string;
  secondaryBinDir: string;
  serviceAccountDir: string;
  pluginBinary: string;
  readyFile: string;
  /** Env for the agent: every path pointed into `root`, the API server on loopback, readiness on a free port. */
  env: Record<string, string>;
  /** Rotates the token as kubelet does: a new timestamped dir, then `..data` swapped atomically. */
  rotateToken(token: string): void;
  remove(): void;
}

export function makeNodeDirs(options: { token?: string; ca?: string; plugin?: string } = {}): NodeDirs {
  const root = mkdtempSync(join(tmpdir(), 'install-cni-'));
  const confDir = join(root, 'etc-cni-net.d');
  const binDir = join(root, 'opt-cni-bin');
  const secondaryBinDir = join(root, 'secondary-bin-dir');
  const serviceAccountDir = join(root, 'serviceaccount');
  const pluginBinary = join(root, 'image-kuma-cni');
  for (const dir of [confDir, binDir, serviceAccountDir]) mkdirSync(dir);
  writeFileSync(pluginBinary, options.plugin ?? '#!/bin/sh\necho stand-in kuma-cni\n', { mode: 0o755 });
  let generation = 0;
  const rotateToken = (token: string) => {
    const data = join(serviceAccountDir, `..${++generation}`);
    mkdirSync(data);
    writeFileSync(join(data, 'token'), token);
    writeFileSync(join(data, 'ca.crt'), options.ca ?? 'stand-in CA\n');
    symlinkSync(`..${generation}`, join(serviceAccountDir, '..data_tmp'));
    renameSync(join(serviceAccountDir, '..data_tmp'), join(serviceAccountDir, '..data'));
  };
  rotateToken(options.token ?? 'token-1');
  symlinkSync('..data/token', join(serviceAccountDir, 'token'));
  symlinkSync('..data/ca.crt', join(serviceAccountDir, 'ca.crt'));
  const readyFile = join(root, 'ready');
  return {
    root,
    confDir,
    binDir,
    secondaryBinDir,
    serviceAccountDir,
    pluginBinary,
    readyFile,
    env: {
      MOUNTED_CNI_NET_DIR: confDir,
      INSTALL_CNI_BIN_DIR: binDir,
      INSTALL_CNI_SECONDARY_BIN_DIR: secondaryBinDir,
      INSTALL_CNI_PLUGIN_BINARY: pluginBinary,
      INSTALL_CNI_READY_FILE: readyFile,
      KUBE_SERVICE_ACCOUNT_TOKEN_PATH: join(serviceAccountDir, 'token'),
      KUBE_CA_FILE: join(serviceAccountDir, 'ca.crt'),
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: '6443',
      CNI_NETWORK_CONFIG: HELM_NETWORK_CONFIG,
      INSTALL_CNI_READYZ_ADDRESS: '127.0.0.1:0',
      // Not /install-cni: a kuma-cni plugin test on this machine must not send its logs here.
      INSTALL_CNI_PROCESS_TITLE: 'install-cni-under-test',
    },
    rotateToken,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
