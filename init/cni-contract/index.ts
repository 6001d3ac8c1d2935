// What the install-cni agent writes and the kuma-cni plugin reads: their
// contract, in one place. Imports nothing.
export { fillKubeconfig, matchKubeconfig, type KubeconfigValues } from './kubeconfig-template.ts';
