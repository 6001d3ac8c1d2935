// The agent's error catalogue: every failure it reports carries a stable code,
// and each code maps to the exit code Kuma 2.13.10's install-cni uses for that
// stage (app/cni/pkg/install/main.go): 1 configuration, 2 log level,
// 3 install, 4 ready file. Kuma's exit 5 (drift found by polling) does not exist here: drift is
// repaired, not fatal.

export const INSTALL_CNI_ERRORS = {
  /** An env var has a value the agent cannot use. */
  config: { code: 'INSTALL_CNI_CONFIG', exitCode: 1 },
  /** CNI_LOG_LEVEL is not off, info or debug. */
  logLevel: { code: 'INSTALL_CNI_LOG_LEVEL', exitCode: 2 },
  /** The kubeconfig for the plugin cannot be written (token, CA, API server address). */
  kubeconfig: { code: 'INSTALL_CNI_KUBECONFIG', exitCode: 3 },
  /** The plugin binary cannot be copied to any bin dir. */
  binary: { code: 'INSTALL_CNI_BINARY', exitCode: 3 },
  /** The plugin config cannot be rendered or chained (bad template, unusable host file). */
  pluginConfig: { code: 'INSTALL_CNI_PLUGIN_CONFIG', exitCode: 3 },
  /** The ready file cannot be written. */
  readyFile: { code: 'INSTALL_CNI_READY_FILE', exitCode: 4 },
} as const;

export type InstallCniErrorKind = keyof typeof INSTALL_CNI_ERRORS;

export class InstallCniError extends Error {
  override readonly name = 'InstallCniError';
  readonly code: string;
  readonly exitCode: number;

  constructor(
    readonly kind: InstallCniErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = INSTALL_CNI_ERRORS[kind].code;
    this.exitCode = INSTALL_CNI_ERRORS[kind].exitCode;
  }
}

/** Runs `fn`, turning any error it throws into an InstallCniError of `kind` prefixed by `context`. */
export async function failingAs<T>(kind: InstallCniErrorKind, context: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InstallCniError) throw error;
    throw new InstallCniError(kind, `${context}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
