// kuma-cni entry point (bin/kuma-cni.js in development; bundled into the
// single executable dist/cni/kuma-cni by bin/bundle.ts, a CommonJS bundle:
// no top-level await).
import { CniError, errorJson, processPluginIo, runPlugin } from './index.ts';

runPlugin(processPluginIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug: still a CNI error object, so the runtime reports it instead of a JSON parse failure.
    process.stdout.write(errorJson(new CniError('APPLY', `kuma-cni internal error: ${error instanceof Error ? error.message : String(error)}`)));
    process.exitCode = 1;
  },
);
