// The kubeconfig install-cni writes for the kuma-cni plugin, as Kuma 2.13.10
// writes it (kumahq/kuma@v2.13.10: app/cni/pkg/install/installer_config.go,
// kubeconfigTemplate): no trailing newline, three values. The agent fills it
// in; the plugin recognises a file by it (init/cni/kubeconfig.ts). Pure.

export interface KubeconfigValues {
  server: string;
  /** The CA's bytes in base64. */
  ca: string;
  token: string;
}

const TEMPLATE = [
  '# Kubeconfig file for kuma CNI plugin.',
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: local',
  '  cluster:',
  '    server: {server}',
  '    certificate-authority-data: {ca}',
  'users:',
  '- name: kuma-cni',
  '  user:',
  '    token: {token}',
  'contexts:',
  '- name: kuma-cni-context',
  '  context:',
  '    cluster: local',
  '    user: kuma-cni',
  'current-context: kuma-cni-context',
];

const SLOT = /\{(server|ca|token)\}$/;

export function fillKubeconfig(values: KubeconfigValues): string {
  return TEMPLATE.map((line) => line.replace(SLOT, (_, name: keyof KubeconfigValues) => values[name])).join('\n');
}

/**
 * The values of a text that is the template filled in, comment and blank lines aside (Kuma copies a token
 * file's trailing newline into the file) and line ends either way; undefined for any other text. The
 * values are as written: the reader decides what it accepts.
 */
export function matchKubeconfig(text: string): KubeconfigValues | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const template = TEMPLATE.filter((line) => !line.startsWith('#'));
  if (lines.length !== template.length) return undefined;
  const values: Partial<KubeconfigValues> = {};
  for (const [i, expected] of template.entries()) {
    const line = lines[i]!;
    const slot = SLOT.exec(expected);
    if (!slot) {
      if (line !== expected) return undefined;
      continue;
    }
    const prefix = expected.slice(0, slot.index);
    if (!line.startsWith(prefix)) return undefined;
    values[slot[1] as keyof KubeconfigValues] = line.slice(prefix.length);
  }
  return values as KubeconfigValues;
}
