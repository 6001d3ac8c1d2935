// The kuma-init command line's face, for bin/, bench:init and tests that run
// it in-process: argv and an io in, an exit code out.
export { processIo, type CliIo } from './io.ts';
export { runCli } from './program.ts';
