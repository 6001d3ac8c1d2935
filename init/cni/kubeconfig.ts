// The kubeconfig install-cni writes (init/cni-contract: Kuma's template, one
// cluster with a server and the CA's data, one user with a bearer token, one
// context), recognised line by line against that template, without a YAML
// parser: parsing even this small file cold costs kuma-cni 7–10 ms on every
// ADD (compiling the parser), and the template is all install-cni ever
// writes. Any other text, or values that are not plain YAML scalars, return
// undefined and go through client-node (kube-client.ts), which reads every
// kubeconfig form. Pure.
import { matchKubeconfig } from '../cni-contract/index.ts';

export interface TemplateKubeconfig {
  server: string;
  ca: Buffer;
  token: string;
}

/** Values that mean the same read as text or as YAML: no quotes, `#`, flow characters or spaces; HTTPS only. */
const PLAIN = {
  server: /^https:\/\/[A-Za-z0-9.\-[\]:]+$/,
  ca: /^[A-Za-z0-9+/]+={0,2}$/,
  token: /^[A-Za-z0-9._\-~+/]+=*$/,
};

export function installCniKubeconfig(text: string): TemplateKubeconfig | undefined {
  const values = matchKubeconfig(text);
  if (!values || !PLAIN.server.test(values.server) || !PLAIN.ca.test(values.ca) || !PLAIN.token.test(values.token)) return undefined;
  return { server: values.server, ca: Buffer.from(values.ca, 'base64'), token: values.token };
}
