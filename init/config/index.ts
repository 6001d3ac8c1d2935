// The transparent-proxy configuration's public face: the types, the defaults
// and the parsers that other modules (the webhook's config-annotation path,
// the CNI plugin, kuma-init's rules and CLI) share. Import this file, not the
// files behind it.
export {
  defaultConfig,
  executableNames,
  type DnsConfig,
  type EbpfConfig,
  type ExecutableName,
  type IpFamilyMode,
  type IptablesExecutablesConfig,
  type IptablesModeOption,
  type RedirectConfig,
  type TrafficFlowConfig,
  type TransparentProxyConfig,
} from './config.ts';
export { applyConfigDocument } from './config-document.ts';
export { parseIpFamilyMode } from './ip-family-mode.ts';
export { parsePorts } from './ports.ts';
export { ConfigError } from './errors.ts';
export { parseGoBool } from './go-values.ts';
export { installFlags } from './install-flags.ts';
export { parseGoCidr, parseGoIp, type GoIp } from './ip-address.ts';
export { parseExcludePortsForIPs, type AddressFamily } from './ip-exclusions.ts';
export { kumactlGlobalFlags } from './kumactl-global-flags.ts';
export { loadInstallConfig, type InstallInputs, type InstallLoadResult } from './load-install-config.ts';
export { FlagSyntaxError, formatFlagUsages, parseFlags, type FlagDef } from './pflag.ts';
export { checkPrivileges, ebpfRefusal } from './privileges.ts';
export { parseExcludePortsForUIDs, type UidExclusion } from './uid-exclusions.ts';
export { parseVnetNetworks, type VnetNetwork } from './vnet.ts';
