// kuma-init entry point (bin/kuma-init.js; the init image links /usr/bin/kumactl here).
import { processIo } from './io.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo());
