// kuma-init's face on the Go-compatible parsers (go-compat/): their errors
// become ConfigError, which the CLI maps to exit 1 and wraps as Kuma wraps
// Go's errors, and durations come in milliseconds, the config's unit.
import { GoValueError, parseGoBool as goBool, parseGoDuration as goDuration, parseGoUint as goUint } from '../../go-compat/index.ts';
import { ConfigError } from './errors.ts';

function asConfigError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof GoValueError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Go `strconv.ParseBool`. */
export const parseGoBool = (s: string): boolean => asConfigError(() => goBool(s));

/** Go `strconv.ParseUint(s, 0, bits)`. */
export const parseGoUint = (s: string, bits: 16 | 64): number => asConfigError(() => goUint(s, bits));

/** Go `time.ParseDuration`, in milliseconds. */
export const parseDurationMillis = (s: string): number => asConfigError(() => goDuration(s)) / 1e6;
