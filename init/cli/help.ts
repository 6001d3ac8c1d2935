// Help text of a leaf command, in cobra's layout.
import { type FlagDef, FlagSyntaxError, formatFlagUsages } from '../config/index.ts';

export function commandHelp<S>(description: string, commandPath: string, flags: readonly FlagDef<S>[]): string {
  return `${description.trim()}\n\nUsage:\n  kuma-init ${commandPath} [flags]\n\nFlags:\n${formatFlagUsages(flags)}\n`;
}

/** Runs `fn`; a malformed command line gets `Run 'kuma-init … --help' …` as its hint (Kuma prints the usage). */
export function withUsageHint<T>(commandPath: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FlagSyntaxError) {
      throw new FlagSyntaxError(error.message, { hint: `Run 'kuma-init ${commandPath} --help' for the list of flags.` });
    }
    throw error;
  }
}
