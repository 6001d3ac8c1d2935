// `kuma-injector check`: a live-cluster check in the manner of `linkerd check`.
// Reads the cluster through the kubeconfig (list requests and TLS handshakes
// with the webhook pods; nothing is written) and prints one line per check,
// with a hint for each failure. Exit 0 when every check passes, 1 when one
// fails, 2 when the cluster cannot be read (docs/check.md).
import { Command } from 'commander';
import { defaultSettings } from '../config/index.ts';
import { allChecks } from './check-rules.ts';
import { type CheckTarget, readClusterView } from './check-view.ts';
import { type CliIO, processIO } from './inject.ts';
import { clusterConfig } from './serve-startup.ts';

export interface CheckOptions {
  kubeconfig?: string;
  namespace: string;
  service: string;
  tlsSecret: string;
}

/** The report and whether every check passed. */
export async function runCheck(options: CheckOptions, now = new Date()): Promise<{ text: string; ok: boolean }> {
  const kubeConfig = await clusterConfig(options.kubeconfig);
  const target: CheckTarget = { namespace: options.namespace, service: options.service, tlsSecret: options.tlsSecret };
  const view = await readClusterView(kubeConfig, target);
  const lines = [`kuma-injector check (cluster ${kubeConfig.getCurrentCluster()?.server ?? '?'}, injector ${target.namespace}/${target.service})`, ''];
  let passed = 0;
  let failed = 0;
  for (const { section, results } of allChecks(view, target, now)) {
    lines.push(section, '-'.repeat(section.length));
    for (const result of results) {
      lines.push(`${result.ok ? '√' : '×'} ${result.text}`);
      if (result.hint) lines.push(`    hint: ${result.hint}`);
      if (result.ok) passed++;
      else failed++;
    }
    lines.push('');
  }
  lines.push(`Status check results are ${failed === 0 ? '√' : '×'} (${passed} passed, ${failed} failed)`);
  return { text: `${lines.join('\n')}\n`, ok: failed === 0 };
}

export function checkCommand(io: CliIO = processIO): Command {
  return new Command('check')
    .description('check the injector in a live cluster: webhook configuration, selectors, caBundle against the served certificate, endpoints, kuma-cp\'s injector, namespace labels')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--namespace <name>', "the injector's namespace (the chart's release namespace)", defaultSettings.systemNamespace)
    .option('--service <name>', "the injector's Service", 'kuma-injector')
    .option('--tls-secret <name>', 'the Secret with the serving certificate (read when the pods cannot be reached from here)', 'kuma-injector-tls')
    .action(async (options: CheckOptions) => {
      const { text, ok } = await runCheck(options);
      io.stdout(text);
      if (!ok) process.exitCode = 1;
    });
}
