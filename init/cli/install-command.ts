// `kuma-init install transparent-proxy`: options → config (init/config), then
// environment profile → rules → dry-run print or install (init/profile,
// init/rules, init/exec). Warnings go to stderr in Kuma's line format.
import { installFlags } from '../config/install-flags.ts';
import { loadInstallConfig } from '../config/load-install-config.ts';
import { install } from '../exec/install.ts';
import { kumaStyleLog, type ApplyLog } from '../exec/log.ts';
import { detectProfile } from '../profile/detect.ts';
import { ensureLoadable } from '../profile/preflight.ts';
import { formatDryRun } from '../rules/dry-run.ts';
import { renderRules } from '../rules/render.ts';
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

  const log = ioLog(io);
  const profile = await inStep(INITIALIZE, () => detectProfile(config, io.system));
  for (const w of profile.warnings) log.warn(w.message, w.family);
  const rendered = await inStep(INITIALIZE, () => renderRules(config, profile));
  for (const warning of rendered.warnings) io.stderr(`${warning}\n`);

  if (config.dryRun) {
    io.stdout(formatDryRun(rendered));
    return EXIT_OK;
  }
  // Pre-flight (docs/tproxy-apply.md §3): the backend must load the rules, else the other one is tried.
  const checked = await inStep(SETUP, () =>
    ensureLoadable(config, profile, (p) => (p === profile ? rendered : renderRules(config, p)), log, io.system),
  );
  await inStep(SETUP, () => install(config, checked.profile, checked.rendered, log, io.system));
  return EXIT_OK;
}
