// Runs the validator in its own process, so a test can start it inside a
// network namespace as the kuma-dp UID (setpriv), as the kuma-validation
// container runs it. argv[2] is JSON: { flags, timing? }. Exit 0 on success;
// otherwise the error on stderr and exit 1, as the CLI reports it.
import { resolveValidatorOptions, type ValidatorFlags } from '../../init/validator/options.ts';
import { runValidator } from '../../init/validator/validator.ts';
import type { ProbeTiming } from '../../init/validator/token-probe.ts';

const { flags, timing } = JSON.parse(process.argv[2] ?? '{}') as { flags: ValidatorFlags; timing?: Partial<ProbeTiming> };
try {
  await runValidator(await resolveValidatorOptions(flags), undefined, { timing });
} catch (e) {
  process.stderr.write(`Error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
