// `inject` arguments (e.g. from caseArgv) as the InjectOptions its own flag
// definitions produce, without running the command.
import { injectCommand, type InjectOptions } from '../../webhook/cli/inject.ts';

export function injectOptionsOf(argv: string[]): InjectOptions {
  const command = injectCommand().exitOverride().action(() => {});
  command.parse(argv, { from: 'user' });
  return command.opts<InjectOptions>();
}
