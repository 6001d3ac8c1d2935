// Entry point of `kuma-injector` (bin/kuma-injector.js and `npm start` run this file).
// The process ends only after stdout and stderr have drained, so piped output
// is never cut short. Then it ends for sure: after `serve` shuts down, the
// Kubernetes client may still hold idle keep-alive sockets that nothing needs.
import { runCli } from './program.ts';

const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

process.exitCode = await runCli(process.argv.slice(2));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit();
