// kuma-init's lowest room, what detection and installation both stand on: the
// one place that spawns processes, the injectable system access (SystemDeps;
// tests and a CNI plugin in another network namespace pass their own), and the
// catalogued errors of detection and installation, and the per-namespace lock
// that serialises installs. Imports nothing else from init/.
export { ApplyError, type ApplyErrorCode } from './errors.ts';
export { systemDeps, type InterfaceAddress, type NetInterface, type NetnsLock, type SystemDeps } from './deps.ts';
export { startNetnsLock, withNetnsLock } from './netns-lock.ts';
export {
  countSpawns,
  holdCommand,
  spawnCommand,
  type CountingRunner,
  type HeldProcess,
  type HoldCommand,
  type RunCommand,
  type RunOptions,
  type RunResult,
} from './run.ts';
