// The `kuma-injector` program: one sub-command per file, assembled here.
// Errors become exit codes in one place: commander's usage errors keep theirs
// (1; 0 for --help and --version), anything a command throws is 2.
import { Command, CommanderError } from 'commander';
import { serveCommand } from './serve.ts';
import { commandErrorText, injectCommand } from './inject.ts';
import { explainCommand } from './explain.ts';
import { uninjectCommand } from './uninject.ts';
import { checkCommand } from './check.ts';

export function buildProgram(): Command {
  const program = new Command('kuma-injector')
    .description("Kuma 2.13's sidecar injector: admission webhook and offline tools")
    .version('0.1.0')
    .exitOverride();
  for (const command of [serveCommand(), injectCommand(), explainCommand(), uninjectCommand(), checkCommand()]) program.addCommand(command.exitOverride());
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`kuma-injector: ${commandErrorText(error)}\n`);
    return 2;
  }
}
