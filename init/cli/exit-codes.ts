// The one place where errors become exit codes and stderr text:
// 0 success, 1 usage or configuration problem, 2 runtime failure.
import { CommanderError } from 'commander';
import { ConfigError } from '../config/index.ts';
import { ValidatorOptionsError } from '../validator/index.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_RUNTIME = 2;

export interface ExitReport {
  code: number;
  /** Text for stderr ('' when commander already printed it). */
  stderr: string;
}

export function reportError(error: unknown): ExitReport {
  if (error instanceof CommanderError) {
    // Commander has written its message (or the help) already.
    return { code: error.exitCode === 0 ? EXIT_OK : EXIT_USAGE, stderr: '' };
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ConfigError && error.hint ? `${error.hint}\n` : '';
  const usage = error instanceof ConfigError || error instanceof ValidatorOptionsError;
  return { code: usage ? EXIT_USAGE : EXIT_RUNTIME, stderr: `Error: ${message}\n${hint}` };
}
