// What `kuma-init install transparent-proxy` does once its config is loaded,
// for the CLI, bench:init and a CNI plugin: detect → render → install.
export { detectAndInstall, type Phase, type PhaseRunner, type PipelineOutput, type PipelineResult } from './pipeline.ts';
