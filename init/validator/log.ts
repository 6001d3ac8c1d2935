// The validator's log sink. The default writes to stdout in the shape of Kuma's
// zap development console encoder (time, level, logger name, message, JSON
// fields), since CNI-mode operators read these lines in `kubectl logs`.
export interface ValidatorLog {
  info(logger: string, message: string, fields?: Record<string, unknown>): void;
}

export const VALIDATOR_LOGGER = 'transparentproxy.validator';

export function consoleValidatorLog(write: (line: string) => void = (l) => process.stdout.write(l)): ValidatorLog {
  return {
    info(logger, message, fields) {
      const extra = fields && Object.keys(fields).length ? `\t${JSON.stringify(fields)}` : '';
      write(`${new Date().toISOString()}\tINFO\t${logger}\t${message}${extra}\n`);
    },
  };
}
