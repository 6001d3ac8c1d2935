// The kuma-cni error catalogue. Every failure the plugin reports is one of
// these: a stable id (for logs, tests and docs/cni.md) and the CNI error code
// the runtime sees. The wire form is the CNI error object
// `{"code","msg","details"}` on stdout with exit code 1 (CNI spec, "Error").
// Codes 1–8 come from libcni's skel; 999 is what skel reports for an error
// returned by the plugin's own code (kumahq/kuma: app/cni/pkg/cni/main_linux.go).

/** CNI spec error codes used here. */
export const CniCode = {
  incompatibleVersion: 1,
  invalidEnvironment: 4,
  decodingFailure: 6,
  invalidNetworkConfig: 7,
  invalidNetns: 8,
  internal: 999,
} as const;

const catalogue = {
  // protocol (skel)
  ENV_MISSING: CniCode.invalidEnvironment,
  ENV_INVALID: CniCode.invalidEnvironment,
  UNKNOWN_COMMAND: CniCode.invalidEnvironment,
  STDIN_UNREADABLE: CniCode.decodingFailure,
  CONFIG_DECODE: CniCode.decodingFailure,
  CONFIG_INVALID: CniCode.invalidNetworkConfig,
  VERSION_UNSUPPORTED: CniCode.incompatibleVersion,
  NETNS_INVALID: CniCode.invalidNetns,
  // kuma-cni's ADD (code 999, as skel reports them)
  PLUGIN_CONFIG: CniCode.internal,
  PREV_RESULT: CniCode.internal,
  LOG_LEVEL: CniCode.internal,
  CNI_ARGS: CniCode.internal,
  KUBE_CLIENT: CniCode.internal,
  POD_GET: CniCode.internal,
  CONFIG_ANNOTATION: CniCode.internal,
  LEGACY_ANNOTATIONS: CniCode.internal,
  APPLY: CniCode.internal,
  RESULT: CniCode.internal,
} as const;

export type CniErrorId = keyof typeof catalogue;

export class CniError extends Error {
  override readonly name = 'CniError';
  readonly code: number;

  constructor(
    readonly id: CniErrorId,
    message: string,
    readonly details = '',
  ) {
    super(message);
    this.code = catalogue[id];
  }
}

/** `{"code","msg","details"}`, 4-space indented without a final newline, as skel prints it (details only when set). */
export function errorJson(error: CniError): string {
  const body: Record<string, string | number> = { code: error.code, msg: error.message };
  if (error.details !== '') body.details = error.details;
  return JSON.stringify(body, null, 4);
}

/** Go's `errors.Wrap(err, context)` for our errors: same id, message prefixed. */
export function wrap(context: string, error: CniError): CniError {
  return new CniError(error.id, `${context}: ${error.message}`, error.details);
}
