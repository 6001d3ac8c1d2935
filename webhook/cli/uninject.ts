// `kuma-injector uninject -f FILE|-`: the reverse of `inject` for manifests.
// Same input kinds (Pods, workload pod templates, v1 Lists) and flags; each
// injected pod loses what the injector added, other documents pass through.
// The flags matter as they did for `inject`: the result is checked by
// injecting it again, and a pod that does not inject back to its input (edited
// after injection, or other flags) is still uninjected, with a warning.
import { Command } from 'commander';
import { stringify } from 'yaml';
import type { InjectionContext } from '../engine/context.ts';
import { carriedPod, type CliIO, contextFrom, type InjectOptions, printOrFail, processIO, readInputDocuments, withAt, withInjectionFlags } from './inject.ts';
import { uninjectPod } from './uninject-pod.ts';

const YAML_OUT = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

export function uninjectDocument(document: unknown, ctx: InjectionContext, where: string, warn: (line: string) => void = () => {}): unknown {
  if (typeof document !== 'object' || document === null) return document;
  const object = document as { kind?: string; items?: unknown; metadata?: { name?: string; namespace?: string } };
  if (object.kind === 'List' && Array.isArray(object.items)) {
    return { ...object, items: object.items.map((item, i) => uninjectDocument(item, ctx, `${where} item ${i + 1}`, warn)) };
  }
  const carried = carriedPod(object);
  if (!carried) return document;
  const { pod, templatePath } = carried;
  const namespace = object.metadata?.namespace ?? ctx.namespace;
  const outcome = uninjectPod(pod, namespace !== undefined ? { ...ctx, namespace } : ctx);
  if (outcome.result === 'unchanged') return document;
  if (outcome.mismatch) warn(`Warning: ${where}: ${object.kind} ${object.metadata?.name ?? ''}: ${outcome.mismatch}`);
  return templatePath ? withAt(object, templatePath, outcome.pod) : outcome.pod;
}

export async function runUninject(options: InjectOptions, io: CliIO): Promise<string> {
  const ctx = contextFrom(options);
  const { source, documents } = await readInputDocuments(options.filename, io);
  const warn = (line: string): void => io.stderr(`${line}\n`);
  return documents.map((document, i) => stringify(uninjectDocument(document, ctx, `${source} document ${i + 1}`, warn), YAML_OUT)).join('---\n');
}

/** The `uninject` sub-command; `io` lets tests run it in-process. */
export function uninjectCommand(io: CliIO = processIO): Command {
  return withInjectionFlags(
    new Command('uninject').description('remove what inject added (sidecar, init container, volumes, annotations, rewritten probes); give it the flags inject had'),
  ).action((options: InjectOptions, command: Command) => printOrFail(command, io, 'kuma-injector.uninject', () => runUninject(options, io)));
}
