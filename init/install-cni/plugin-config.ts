// The kuma-cni plugin's own config, from the CNI_NETWORK_CONFIG template
// (Kuma: installer_config.go, PrepareKumaCniConfig): the first
// __KUBECONFIG_FILEPATH__ becomes the kubeconfig's path as the host sees it,
// the first __SERVICEACCOUNT_TOKEN__ the token.
import { posix } from 'node:path';

export interface PluginConfigInputs {
  hostConfDir: string;
  kubeconfigName: string;
  token: string;
}

/** The template with its placeholders filled (Go's strings.Replace(…, 1): the first occurrence only). */
export function renderPluginConfig(template: string, inputs: PluginConfigInputs): string {
  const kubeconfigPath = posix.join(inputs.hostConfDir, inputs.kubeconfigName);
  // A function replacement: `$` in a path or token is not a replacement pattern.
  return template.replace('__KUBECONFIG_FILEPATH__', () => kubeconfigPath).replace('__SERVICEACCOUNT_TOKEN__', () => inputs.token);
}

