// The executor's face: installing rendered rules (one restore per family,
// rollback, idempotency), the `restore --test` pre-flight, uninstalling, and
// the Kuma-worded progress log.
export { AssumptionRejected, install, type InstallResult, type RestoreInputs } from './install.ts';
export { kumaStyleLog, silentLog, type ApplyLog } from './log.ts';
export { ensureLoadable } from './preflight.ts';
export { uninstall, type UninstallResult } from './uninstall.ts';
