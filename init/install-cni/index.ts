// The install-cni node agent's public face (its entry is main.ts): what
// deployments and their tests check the agent against.
export { runAgent } from './agent.ts';
export { loadAgentConfig, type AgentConfig, type RepairConfig, type RepairMode } from './config.ts';
export { INSTALL_CNI_ERRORS, InstallCniError } from './errors.ts';
export { kubeconfigText } from './kubeconfig.ts';
export { renderPluginConfig } from './plugin-config.ts';
