// Errors of profile detection and rule application. Each has a stable code and
// a one-line message that says what happened and what to do.

export type ApplyErrorCode =
  | 'NO_LOOPBACK'
  | 'NO_EXECUTABLES'
  | 'RESOLV_CONF_UNREADABLE'
  | 'BACKEND_CANNOT_LOAD_RULES'
  | 'CLEANUP_WITHOUT_COMMENTS'
  | 'IPTABLES_SAVE_FAILED'
  | 'RESTORE_FAILED'
  | 'ROLLBACK_FAILED';

export class ApplyError extends Error {
  constructor(
    readonly code: ApplyErrorCode,
    message: string,
  ) {
    super(message.replace(/\s*\n\s*/g, '; '));
    this.name = 'ApplyError';
  }
}
