// `kuma-init uninstall transparent-proxy` (Kuma 2.13 flags: --dry-run,
// --verbose, --ebpf-enabled, --ebpf-bpffs-path, plus kumactl's globals).
import {
  checkPrivileges,
  ConfigError,
  defaultConfig,
  ebpfRefusal,
  type FlagDef,
  kumactlGlobalFlags,
  parseFlags,
  parseGoBool,
  type TransparentProxyConfig,
} from '../config/index.ts';
import { uninstall } from '../exec/index.ts';
import { detectProfile } from '../profile/index.ts';
import { EXIT_OK } from './exit-codes.ts';
import { commandHelp, withUsageHint } from './help.ts';
import { ioLog } from './install-command.ts';
import type { CliIo } from './io.ts';
import { CLEANUP, INITIALIZE, inStep } from './step-errors.ts';

interface UninstallState {
  config: TransparentProxyConfig;
  help: boolean;
}

const bool = (apply: (state: UninstallState, value: boolean) => void, name: string, usage: string, shorthand?: string): FlagDef<UninstallState> => ({
  name,
  shorthand,
  typeName: '',
  boolean: true,
  usage,
  set: (state, value) => apply(state, parseGoBool(value)),
});

export const uninstallFlags: readonly FlagDef<UninstallState>[] = [
  bool((s, v) => (s.config.ebpf.enabled = v), 'ebpf-enabled', 'uninstall transparent proxy with ebpf mode (refused: eBPF cannot work in Kuma 2.13)'),
  {
    name: 'ebpf-bpffs-path',
    typeName: 'string',
    boolean: false,
    usage: 'the path of the BPF filesystem',
    defaultText: '"/run/kuma/bpf"',
    set: (s, v) => (s.config.ebpf.bpffsPath = v),
  },
  bool((s, v) => (s.config.dryRun = v), 'dry-run', 'dry run'),
  bool((s, v) => (s.config.verbose = v), 'verbose', 'verbose'),
  bool((s, v) => (s.help = v), 'help', 'help for transparent-proxy', 'h'),
  ...kumactlGlobalFlags<UninstallState>({ withConfigFile: true }),
];

const description = `Uninstall the transparent proxy: remove every KUMA_MESH chain and every rule commented
"kuma/mesh/transparent/proxy" (IPv4 and IPv6), then restore /etc/resolv.conf.kuma-backup if present.`;

/** The command line → config (Kuma defaults plus the flags), help request and deprecation notices. */
export function parseUninstallArgs(args: readonly string[]): UninstallState & { notices: string[] } {
  const state: UninstallState = { config: defaultConfig(), help: false };
  const { notices } = withUsageHint('uninstall transparent-proxy', () => parseFlags(args, uninstallFlags, state));
  return { ...state, notices };
}

export async function uninstallTransparentProxy(args: readonly string[], io: CliIo): Promise<number> {
  const state = parseUninstallArgs(args);
  const { notices } = state;
  if (state.help) {
    io.stdout(commandHelp(description, 'uninstall transparent-proxy', uninstallFlags));
    return EXIT_OK;
  }
  const { config } = state;
  for (const line of [...notices, ...checkPrivileges(config.dryRun, io.euid, io.platform)]) io.stderr(`${line}\n`);
  if (config.ebpf.enabled) throw new ConfigError(ebpfRefusal);

  const log = ioLog(io);
  // As for install (docs/tproxy-apply.md §3): no probe that would create legacy tables; a dry run probes as Kuma.
  const profile = await inStep(INITIALIZE, () => detectProfile(config, io.system, { assumeModules: !config.dryRun }));
  for (const w of profile.warnings) log.warn(w.message, w.family);
  await inStep(CLEANUP, () => uninstall(config, profile, log, io.system));
  return EXIT_OK;
}
