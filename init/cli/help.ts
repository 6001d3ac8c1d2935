// Help text of a leaf command, in cobra's layout.
import { formatFlagUsages, type FlagDef } from '../config/pflag.ts';

export function commandHelp<S>(description: string, commandPath: string, flags: readonly FlagDef<S>[]): string {
  return `${description.trim()}\n\nUsage:\n  kuma-init ${commandPath} [flags]\n\nFlags:\n${formatFlagUsages(flags)}\n`;
}

/** `Run '… --help' …`, printed under usage errors. */
export function usageHint(commandPath: string): string {
  return `Run 'kuma-init ${commandPath} --help' for the list of flags.`;
}
