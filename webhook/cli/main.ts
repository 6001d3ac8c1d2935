// Entry point of `kuma-injector` (bin/kuma-injector.js and `npm start` run this file).
import { runCli } from './program.ts';

process.exit(await runCli(process.argv.slice(2)));
