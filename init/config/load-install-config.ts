// `kuma-init install transparent-proxy` options → validated config, following
// kumactl 2.13.10's algorithm (app/kumactl/cmd/install/install_transparent_proxy.go) as one pure
// function: first flag pass (help, dry-run, config sources, DNS flags), OS and
// root checks, the DNS conflict check, config sources in order (deprecated
// --config-file first) each followed by the env vars, the second flag pass,
// captureAll ⇒ dns.enabled. Then the checks Kuma only makes while
// initialising (grammars of exclusions and vnet), plus two deliberate refusals.
import { defaultConfig, type TransparentProxyConfig } from './config.ts';
import { applyConfigDocument } from './config-document.ts';
import { applyEnvironment, type Environment } from './env.ts';
import { ConfigError, withContext } from './errors.ts';
import { firstPassFlags, installFlags, type InstallFlagState } from './install-flags.ts';
import { parseExcludePortsForIPs } from './ip-exclusions.ts';
import { FlagSyntaxError, parseFlags, scanFlags } from './pflag.ts';
import { checkPrivileges, ebpfRefusal } from './privileges.ts';
import { parseExcludePortsForUIDs } from './uid-exclusions.ts';
import { parseVnetNetworks } from './vnet.ts';

export interface InstallInputs {
  /** Arguments after `install transparent-proxy`. */
  argv: readonly string[];
  env: Environment;
  /** Reads a config file; throws Node's fs errors (ENOENT, EACCES, EISDIR, …). */
  readFile: (path: string) => string;
  /** The rest of stdin (`--config -`); '' once consumed. */
  readStdin: () => string;
  euid: number;
  platform: NodeJS.Platform;
}

export type InstallLoadResult =
  | { kind: 'help' }
  | { kind: 'config'; config: TransparentProxyConfig; /** Lines for stderr, in order. */ warnings: string[] };

function loadSource(config: TransparentProxyConfig, value: string, inputs: InstallInputs): void {
  const trimmed = value.trim();
  if (trimmed === '') return;
  if (trimmed === '-') {
    applyConfigDocument(config, inputs.readStdin());
    applyEnvironment(config, inputs.env);
    return;
  }
  let text: string;
  try {
    text = inputs.readFile(value);
  } catch (error) {
    // Kuma stats the file first (missing → "unable to access"), then reads it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ConfigError(`reading configuration from file '${value}' failed: read ${value}: is a directory`);
    if (code === 'EACCES') throw new ConfigError(`reading configuration from file '${value}' failed: open ${value}: permission denied`);
    throw new ConfigError(
      `unable to access configuration file '${value}', please check if the file exists and has the correct permissions`,
    );
  }
  withContext(`parsing configuration from file '${value}' failed`, () => {
    applyConfigDocument(config, text);
    applyEnvironment(config, inputs.env);
  });
}

/**
 * Deviations from Kuma 2.13.10 (docs/tproxy-config.md, "Deviations"):
 * - eBPF is refused: 2.13 never initialises it and silently installs iptables rules.
 * - inbound excludePortsForUIDs is refused: 2.13 renders `-A KUMA_MESH_INBOUND -j RETURN`
 *   with no match, which silently switches off all inbound redirection (docs/tproxy-config.md).
 * And one check of our own options: `--nftables` uses no iptables backend, so an explicit one contradicts it.
 */
export function refuseUnsupported(config: TransparentProxyConfig): void {
  if (config.ebpf.enabled) throw new ConfigError(ebpfRefusal);
  if (config.nftables && config.iptablesMode !== 'auto') {
    throw new ConfigError(
      `--nftables installs native nftables rules and uses no iptables backend, but --iptables-mode ${config.iptablesMode} asks for one; drop one of the two (also nftables/iptablesMode in --config and KUMA_TRANSPARENT_PROXY_NFTABLES/_IPTABLES_MODE)`,
    );
  }
  if (config.redirect.inbound.excludePortsForUIDs.length > 0) {
    throw new ConfigError(
      'redirect.inbound.excludePortsForUIDs is not supported: Kuma 2.13 renders it as a RETURN rule without any match, which silently disables all inbound redirection; remove it (also KUMA_TRANSPARENT_PROXY_REDIRECT_INBOUND_EXCLUDE_PORTS_FOR_UIDS and the unprefixed EXCLUDE_PORTS_FOR_UIDS, which feeds inbound too) and use --exclude-inbound-ports instead',
    );
  }
}

/** The grammar checks Kuma makes in Config.Initialize (IPv4 pass parses every entry), with its error chain. */
function checkGrammars(config: TransparentProxyConfig): void {
  const { redirect } = config;
  withContext('failed to initialize config: unable to initialize IPv4 redirect configuration', () => {
    withContext('unable to initialize .VNet', () => parseVnetNetworks(redirect.vnet.networks, 'ipv4'));
    for (const [name, flow] of [
      ['.Inbound', redirect.inbound],
      ['.Outbound', redirect.outbound],
    ] as const) {
      withContext(`unable to initialize ${name}`, () => {
        parseExcludePortsForUIDs(flow.excludePortsForUIDs);
        parseExcludePortsForIPs(flow.excludePortsForIPs, 'ipv4');
      });
    }
  });
}

/** Throws ConfigError (usage/config problem); FlagSyntaxError for a malformed command line. */
export function loadInstallConfig(inputs: InstallInputs): InstallLoadResult {
  const state: InstallFlagState = {
    config: defaultConfig(),
    configValues: [],
    configFile: '',
    help: false,
    arraysSet: new Set(),
  };
  const warnings: string[] = [];

  try {
    scanFlags(inputs.argv, installFlags, (def, value) => {
      if (firstPassFlags.has(def.name)) def.set(state, value);
    });
  } catch (error) {
    // kumactl shows the usage with every first-pass error, value errors included.
    if (error instanceof ConfigError) throw new FlagSyntaxError(error.message);
    throw error;
  }
  if (state.help) return { kind: 'help' };

  const { config } = state;
  warnings.push(...checkPrivileges(config.dryRun, inputs.euid, inputs.platform));

  if (config.redirect.dns.enabled && config.redirect.dns.captureAll) {
    throw new ConfigError("only one of '--redirect-dns' or '--redirect-all-dns-traffic' should be specified");
  }

  withContext('failed to load configuration from provided input', () => {
    for (const value of [state.configFile, ...state.configValues]) loadSource(config, value, inputs);
  });

  // Second pass: every flag, highest precedence. String arrays given here replace file values.
  state.arraysSet.clear();
  warnings.push(...parseFlags(inputs.argv, installFlags, state).notices);

  if (config.redirect.dns.captureAll) config.redirect.dns.enabled = true;

  refuseUnsupported(config);
  checkGrammars(config);
  return { kind: 'config', config, warnings };
}
