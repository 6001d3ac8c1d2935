// install-cni entry point (bin/install-cni.js; the image's /install-cni).
import { runAgent } from './agent.ts';
import { loadAgentConfig, type AgentConfig } from './config.ts';
import { InstallCniError } from './errors.ts';
import { consoleAgentLog } from './log.ts';

const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(signal, () => stop.abort());

let config: AgentConfig | undefined;
try {
  config = loadAgentConfig(process.env);
} catch (error) {
  if (!(error instanceof InstallCniError)) throw error;
  consoleAgentLog('info').error(`error occurred during config loading: ${error.message}`, { code: error.code });
  process.exitCode = error.exitCode;
}
if (config) {
  // The kuma-cni plugin finds this process by argv[0] to write its logs to our stderr.
  process.title = config.processTitle;
  process.exitCode = await runAgent(config, consoleAgentLog(config.logLevel), stop.signal);
}
