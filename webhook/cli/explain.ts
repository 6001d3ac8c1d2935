// `kuma-injector explain -f FILE|-`: for every Pod and workload pod template in
// the input, whether it would be injected and why (or why not), and what would
// be added. Same input kinds and flags as `inject`; human text or `-o json`.
// A refusal is an answer here, not an error: the exit code is 0 when every
// document could be read.
import { Command, Option } from 'commander';
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
import type { InjectionContext } from '../engine/index.ts';
import { explainPod } from './explain-decision.ts';
import { type ExplainedDocument, renderExplanation } from './explain-text.ts';

export interface ExplainOptions extends InjectOptions {
  output: 'text' | 'json';
}

type Meta = { kind?: string; items?: unknown; metadata?: { name?: string; generateName?: string; namespace?: string } };

/** The pods of one document (a List holds several); other kinds have none. */
function explainDocument(document: unknown, index: number, ctx: InjectionContext): ExplainedDocument[] {
  if (typeof document !== 'object' || document === null) return [];
  const object = document as Meta;
  if (object.kind === 'List' && Array.isArray(object.items)) return object.items.flatMap((item) => explainDocument(item, index, ctx));
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
      ...explainPod(pod, namespace !== undefined ? { ...ctx, namespace } : ctx),
    },
  ];
}

export async function runExplain(options: ExplainOptions, io: CliIO): Promise<string> {
  const ctx = contextFrom(options);
  const { documents } = await readInputDocuments(options.filename, io);
  const explained = documents.flatMap((document, i) => explainDocument(document, i + 1, ctx));
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
    .action((options: ExplainOptions, command: Command) => printOrFail(command, io, 'kuma-injector.explain', () => runExplain(options, io)));
}
