// `kuma-init install transparent-proxy`: options → config (init/config), then
// environment profile → rules → dry-run print or install, on the fast or the
// slow path (init/pipeline/pipeline.ts). Warnings go to stderr in Kuma's line format.
import { installFlags, loadInstallConfig } from '../config/index.ts';
import { type ApplyLog, kumaStyleLog } from '../exec/index.ts';
import { detectAndInstall } from '../pipeline/index.ts';
import { formatDryRun } from '../rules/index.ts';
import { EXIT_OK } from './exit-codes.ts';
import { commandHelp, withUsageHint } from './help.ts';
import type { CliIo } from './io.ts';
import { INITIALIZE, SETUP, inStep } from './step-errors.ts';

export const installDescription = `Install the transparent proxy (Kuma 2.13 \`kumactl install transparent-proxy\`): write the
iptables rules that redirect the pod's traffic to kuma-dp. Precedence: defaults < --config sources
(in order, each followed by the KUMA_TRANSPARENT_PROXY_* variables) < flags.`;

export function ioLog(io: CliIo): ApplyLog {
  return kumaStyleLog(
    (line) => io.stdout(`${line}\n`),
    (line) => io.stderr(`${line}\n`),
  );
}

export async function installTransparentProxy(args: readonly string[], io: CliIo): Promise<number> {
  const loaded = withUsageHint('install transparent-proxy', () =>
    loadInstallConfig({
      argv: args,
      env: io.env,
      readFile: io.readFile,
      readStdin: io.readStdin,
      euid: io.euid,
      platform: io.platform,
    }),
  );
  if (loaded.kind === 'help') {
    io.stdout(commandHelp(installDescription, 'install transparent-proxy', installFlags));
    return EXIT_OK;
  }
  const { config } = loaded;
  for (const warning of loaded.warnings) io.stderr(`${warning}\n`);
  if (config.storeFirewalld) io.stderr('# [WARNING] --store-firewalld is not supported by kuma-init and is ignored\n');

  const result = await detectAndInstall(config, io.system, {
    log: ioLog(io),
    renderWarning: (line) => io.stderr(`${line}\n`),
    // Detection and rendering fail as kumactl's config initialisation, the rest as its setup.
    phase: (phase, fn) => inStep(phase === 'detect' || phase === 'render' ? INITIALIZE : SETUP, fn),
  });
  if (config.dryRun) io.stdout(formatDryRun(result.rendered));
  return EXIT_OK;
}
