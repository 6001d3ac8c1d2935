// `kuma-injector explain -f FILE|-`: for every Pod and workload pod template in
// the input, whether it would be injected and why (or why not), and what would
// be added. Same input kinds and flags as `inject`; human text or `-o json`.
// A refusal is an answer here, not an error: the exit code is 0 when every
// document could be read. Before the injector's own decision comes the API
// server's: whether the webhook's selectors send the pod to it at all.
import { Command, Option } from 'commander';
import { readCluster } from './cluster-read.ts';
import {
  carriedPod,
  type CliIO,
  contextFrom,
  type InjectOptions,
  printOrFail,
  processIO,
  readInputDocuments,
  withInjectionFlags,
} from './inject.ts';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { type InjectionContext, type Pod, podNamespace } from '../engine/index.ts';
import { explainPod, type PodDecision, type WebhookReach } from './explain-decision.ts';
import { type ExplainedDocument, renderExplanation } from './explain-text.ts';
import { typoHints } from './label-typos.ts';
import { chartDefaultWebhooks, matchWebhooks, webhookConfigurationsIn, type WebhookSource } from './webhook-selectors.ts';

export interface ExplainOptions extends InjectOptions {
  output: 'text' | 'json';
  kubeconfig?: string;
}

/** The MutatingWebhookConfigurations in the --state files (a rendered chart or manifests/kuma-injector.yaml), else the chart's defaults. */
function webhooksFromStateFiles(files: string[], systemNamespace: string): WebhookSource {
  const configurations = files.flatMap((file) => webhookConfigurationsIn(parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' }).map((d) => d.toJS() as unknown)));
  if (configurations.length === 0) return chartDefaultWebhooks(systemNamespace);
  return { from: `MutatingWebhookConfiguration ${configurations.map((c) => c.metadata.name).join(', ')} in the --state files`, configurations };
}

/** The API server's part: does a webhook's selector send this pod to the injector? And likely typos in the labels. */
function webhookReach(pod: Pod, ctx: InjectionContext, source: WebhookSource): { reach: WebhookReach; hints: string[] } {
  const namespace = podNamespace(pod, ctx);
  const namespaceLabels = ctx.state.namespace(namespace)?.metadata.labels;
  const webhooks = matchWebhooks(source, namespace, namespaceLabels, pod.metadata?.labels);
  const hints = [...typoHints(`namespace ${namespace}`, namespaceLabels), ...typoHints('the pod', pod.metadata?.labels)];
  return { reach: { reached: webhooks.some((w) => w.unmet === undefined), from: source.from, webhooks }, hints };
}

/** The injector's decision, behind the API server's: a pod no webhook selects is created as it is. */
function decide(pod: Pod, ctx: InjectionContext, source: WebhookSource): PodDecision {
  const decision = explainPod(pod, ctx);
  const { reach, hints } = webhookReach(pod, ctx, source);
  const withHints = hints.length ? { hints } : {};
  if (reach.reached) return { ...decision, webhook: reach, ...withHints };
  return { ...decision, verdict: 'unreached', injectorVerdict: decision.verdict, webhook: reach, ...withHints };
}

type Meta = { kind?: string; items?: unknown; metadata?: { name?: string; generateName?: string; namespace?: string } };

/** The pods of one document (a List holds several); other kinds have none. */
function explainDocument(document: unknown, index: number, ctx: InjectionContext, source: WebhookSource): ExplainedDocument[] {
  if (typeof document !== 'object' || document === null) return [];
  const object = document as Meta;
  if (object.kind === 'List' && Array.isArray(object.items)) return object.items.flatMap((item) => explainDocument(item, index, ctx, source));
  const carried = carriedPod(object);
  if (!carried) return [];
  const { pod, templatePath } = carried;
  const namespace = object.metadata?.namespace ?? ctx.namespace;
  return [
    {
      document: index,
      kind: object.kind!,
      name: object.metadata?.name ?? object.metadata?.generateName ?? '',
      ...(namespace !== undefined ? { namespace } : {}),
      ...(templatePath ? { template: templatePath.join('.') } : {}),
      ...decide(pod, namespace !== undefined ? { ...ctx, namespace } : ctx, source),
    },
  ];
}

export async function runExplain(options: ExplainOptions, io: CliIO): Promise<string> {
  const local = contextFrom(options);
  const cluster = options.kubeconfig !== undefined ? await readCluster(options.kubeconfig, local.settings.systemNamespace) : undefined;
  const ctx = cluster ? { ...local, state: cluster.state } : local;
  const source = cluster?.webhooks ?? webhooksFromStateFiles(options.state, local.settings.systemNamespace);
  const { documents } = await readInputDocuments(options.filename, io);
  const explained = documents.flatMap((document, i) => explainDocument(document, i + 1, ctx, source));
  if (options.output === 'json') return `${JSON.stringify(explained, null, 2)}\n`;
  if (explained.length === 0) return 'no Pods or workload pod templates in the input\n';
  return `${explained.map(renderExplanation).join('\n\n')}\n`;
}

/** The `explain` sub-command; `io` lets tests run it in-process. */
export function explainCommand(io: CliIO = processIO): Command {
  return withInjectionFlags(
    new Command('explain').description('tell whether and why each Pod or pod template would be injected, and what would be added'),
  )
    .addOption(new Option('-o, --output <format>', 'text for people, json for programs').choices(['text', 'json']).default('text'))
    .option('--kubeconfig <file>', "read the cluster instead of --state: namespaces, Meshes, ContainerPatches and the webhook's MutatingWebhookConfigurations")
    .action((options: ExplainOptions, command: Command) => printOrFail(command, io, 'kuma-injector.explain', () => runExplain(options, io)));
}
