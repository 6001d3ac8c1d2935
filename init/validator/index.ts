// The validator's face (`kuma-init validate`, the kuma-validation container):
// options from flags and the dataplane config, then the token exchange.
export { consoleValidatorLog, type ValidatorLog } from './log.ts';
export { resolveValidatorOptions, ValidatorOptionsError, type ValidatorFlags, type ValidatorOptions } from './options.ts';
export type { ProbeTiming } from './token-probe.ts';
export { runValidator, ValidationFailedError } from './validator.ts';
