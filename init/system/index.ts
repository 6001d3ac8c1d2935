// kuma-init's lowest room, what detection and installation both stand on: the
// one place that spawns processes, the injectable system access (SystemDeps;
// tests and a CNI plugin in another network namespace pass their own), and the
// catalogued errors of detection and installation. Imports nothing else from init/.
export { ApplyError, type ApplyErrorCode } from './errors.ts';
export { systemDeps, type InterfaceAddress, type NetInterface, type SystemDeps } from './deps.ts';
export { countSpawns, spawnCommand, type CountingRunner, type RunCommand, type RunOptions, type RunResult } from './run.ts';
