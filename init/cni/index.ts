// The kuma-cni plugin's public face (docs/cni.md): run it on a process's io,
// or on an injected one in tests.
export { runPlugin, PLUGIN_VERSION, type PluginIo } from './plugin.ts';
export { processPluginIo } from './process-io.ts';
export { SUPPORTED_VERSIONS } from './protocol.ts';
export { CniError, errorJson, type CniErrorId } from './errors.ts';
export { installCniKubeconfig } from './kubeconfig.ts';
