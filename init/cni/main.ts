// kuma-cni entry point (bin/kuma-cni.js in development; bundled into the
// single executable dist/cni/kuma-cni by bin/bundle.ts).
import { processPluginIo, runPlugin } from './index.ts';

process.exitCode = await runPlugin(processPluginIo());
