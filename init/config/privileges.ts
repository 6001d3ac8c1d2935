// kumactl's OS and privilege checks, shared by install and uninstall.
import { ConfigError } from './errors.ts';

export const dryRunNonRootWarning = '# [WARNING] [dry-run]: running this command as a non-root user may lead to unpredictable results';

/** Throws Kuma's error, or returns the warning lines for stderr. */
export function checkPrivileges(dryRun: boolean, euid: number, platform: NodeJS.Platform): string[] {
  const linux = platform === 'linux';
  if (!linux && !dryRun) throw new ConfigError('transparent proxy is supported only on Linux systems');
  if (linux && euid !== 0 && !dryRun) throw new ConfigError('you need to have root privileges to run this command');
  return linux && euid !== 0 ? [dryRunNonRootWarning] : [];
}

export const ebpfRefusal =
  'eBPF mode cannot work in Kuma 2.13 (kumactl would silently use iptables instead); remove --ebpf-enabled (or ebpf.enabled / KUMA_TRANSPARENT_PROXY_EBPF_ENABLED) to use the iptables transparent proxy';
