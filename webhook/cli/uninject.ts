// `kuma-injector uninject -f FILE|-`: the reverse of `inject` for manifests.
// Same input kinds (Pods, workload pod templates, v1 Lists) and flags; each
// injected pod loses what the injector added, other documents pass through.
// The flags matter as they did for `inject`: the result is checked by
// injecting it again, and a pod that does not inject back to its input (edited
// after injection, or other flags) is still uninjected, with a warning.
import { Command } from 'commander';
import { stringify } from 'yaml';
import type { InjectionContext } from '../engine/index.ts';
import { type CliIO, contextFrom, type InjectOptions, mapCarriedPods, printOrFail, processIO, readInputDocuments, withInjectionFlags } from './inject.ts';
import { uninjectPod } from './uninject-pod.ts';

const YAML_OUT = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

export function uninjectDocument(document: unknown, ctx: InjectionContext, where: string, warn: (line: string) => void = () => {}): unknown {
  return mapCarriedPods(document, ctx, where, ({ object, pod, ctx: podCtx, where: at }) => {
    const outcome = uninjectPod(pod, podCtx);
    if (outcome.result === 'unchanged') return undefined;
    if (outcome.mismatch) warn(`Warning: ${at}: ${object.kind} ${object.metadata?.name ?? ''}: ${outcome.mismatch}`);
    return outcome.pod;
  });
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
