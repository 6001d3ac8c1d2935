// The install-cni node agent's public face: the entry (main.ts) and the
// pure pieces tests, the plugin and docs refer to.
export { runAgent } from './agent.ts';
export { chainKuma, chainProblem, discoverConfName, KUMA_CNI_TYPE, resolveConfName, serializeConfig, standaloneProblem, unchainKuma } from './cni-conf.ts';
export { loadAgentConfig, type AgentConfig, type RepairConfig, type RepairMode } from './config.ts';
export { INSTALL_CNI_ERRORS, InstallCniError } from './errors.ts';
export { kubeconfigText } from './kubeconfig.ts';
export { renderPluginConfig } from './plugin-config.ts';
export { repairDecision, type RepairDecision } from './repair-decision.ts';
