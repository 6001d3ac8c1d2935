// Entry point of `kuma-injector` (bin/kuma-injector.js and `npm start` run this file).
// It only sets the exit code: the process ends by itself once nothing is left
// to do, and writes still pending on stdout or stderr (a slow pipe) are part
// of that, so piped output is never cut short. So nothing may stay open after
// a command: `serve` closes its server, watches, timers and every connection
// of the Kubernetes client (webhook/kube-api/client-connections.ts).
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2));
