// The transparent-proxy configuration's public face: the types, the defaults
// and the parsers that other modules (the webhook's config-annotation path,
// the CNI plugin) share with `kuma-init`. Import this file, not the files
// behind it.
export {
  defaultConfig,
  executableNames,
  type DnsConfig,
  type IpFamilyMode,
  type IptablesModeOption,
  type RedirectConfig,
  type TrafficFlowConfig,
  type TransparentProxyConfig,
} from './config.ts';
export { applyConfigDocument } from './config-document.ts';
export { parseIpFamilyMode } from './ip-family-mode.ts';
export { ConfigError } from './errors.ts';
export { refuseUnsupported } from './load-install-config.ts';
export { parseGoCidr, parseGoIp } from './ip-address.ts';
export { parsePort, parsePorts } from './ports.ts';
