// The kuma-init command tree (commander) and the single place that turns a
// command's outcome into an exit code. Leaf commands parse their own flags
// (init/config/pflag.ts) because kumactl's pflag grammar and messages must be
// reproduced exactly: commander only routes `install transparent-proxy`,
// `install transparent-proxy-validator` and `uninstall transparent-proxy`.
import { Command } from 'commander';
import { reportError } from './exit-codes.ts';
import { installTransparentProxy } from './install-command.ts';
import type { CliIo } from './io.ts';
import { uninstallTransparentProxy } from './uninstall-command.ts';
import { installTransparentProxyValidator } from './validator-command.ts';

type Action = (args: readonly string[], io: CliIo) => Promise<number>;

function buildProgram(io: CliIo, argv: readonly string[], result: { code: number }): Command {
  const program = new Command('kuma-init')
    .description('Kuma 2.13-compatible transparent proxy installer (drop-in for `kumactl install transparent-proxy`)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .enablePositionalOptions();

  const leaf = (parent: Command, name: string, summary: string, action: Action) =>
    parent
      .command(name)
      .description(summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument('[flags...]')
      .action(async () => {
        // The words after `<group> <command>`, untouched (commander would drop a leading `--`).
        result.code = await action(argv.slice(2), io);
      });

  const install = program.command('install').description('install the transparent proxy or run its validator');
  leaf(install, 'transparent-proxy', 'Install Transparent Proxy pre-requisites on the host', installTransparentProxy);
  leaf(install, 'transparent-proxy-validator', 'Validates if transparent proxy has been set up successfully', installTransparentProxyValidator);
  const uninstall = program.command('uninstall').description('remove the transparent proxy');
  leaf(uninstall, 'transparent-proxy', 'Uninstall Transparent Proxy pre-requisites on the host', uninstallTransparentProxy);
  return program;
}

/** Runs one command line; returns the exit code. Never exits the process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const result = { code: 0 };
  try {
    await buildProgram(io, argv, result).parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    const report = reportError(error);
    io.stderr(report.stderr);
    return report.code;
  }
}
