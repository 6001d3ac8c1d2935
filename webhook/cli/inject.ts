// `kuma-injector inject -f FILE|-`: offline injection of Pods and of the pod
// templates of workload objects (also inside a v1 List), multi-document YAML
// in, YAML out. Other documents pass through unchanged; a refused pod fails
// the command; Kuma's warnings about a pod go to stderr.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import { defaultSettings, type InjectorOptions, loadInjectorSetup, type SidecarContainersMode } from '../config/index.ts';
import { createInjectionContext, type InjectionContext, injectPod, type Pod } from '../engine/index.ts';
import { loadStateFiles, StateFileError } from '../state/index.ts';
import { collect, controlPlaneUrl, serverVersion, sidecarMode, targetPort } from './flag-values.ts';

export interface CliIO {
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIO: CliIO = {
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

export interface InjectOptions extends InjectorOptions {
  filename: string;
  state: string[];
  namespace?: string;
}

/** Where each kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

const YAML_OUT = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

export class InjectCommandError extends Error {}

/** The text after `Error: ` for a failed command; a state-file problem carries its stable code. */
export function commandErrorText(error: unknown): string {
  if (error instanceof StateFileError) return `${error.message} (${error.code})`;
  return (error as Error).message;
}

function readYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((document, index) => {
    if (document.errors.length > 0) {
      throw new InjectCommandError(`${source}: document ${index + 1}: ${document.errors[0]!.message}`);
    }
    return document.toJS({ maxAliasCount: -1 }) as unknown;
  });
}

/** The injection context these flags describe: config, settings and the `--state` files. */
export function contextFrom(options: InjectOptions): InjectionContext {
  return createInjectionContext({
    ...loadInjectorSetup(options),
    state: loadStateFiles(options.state),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  });
}

function at(object: unknown, path: string[]): unknown {
  let node = object;
  for (const part of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

function withAt(object: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return value as Record<string, unknown>;
  return { ...object, [head]: withAt((object[head] ?? {}) as Record<string, unknown>, rest, value) };
}

/** The pod a document carries: itself for a Pod, its pod template for a workload kind; none for other kinds. */
export function carriedPod(object: { kind?: string }): { pod: Pod; templatePath?: string[] } | undefined {
  const templatePath = object.kind ? TEMPLATE_PATHS[object.kind] : undefined;
  if (object.kind !== 'Pod' && templatePath === undefined) return undefined;
  const pod = (templatePath ? at(object, templatePath) : object) as Pod | undefined;
  if (typeof pod !== 'object' || pod === null) return undefined;
  return templatePath ? { pod, templatePath } : { pod };
}

type DocumentMeta = { kind?: string; items?: unknown; metadata?: { name?: string; namespace?: string } };

/** One pod a document carries, with the document, the context in its namespace, and where it is (for messages). */
export interface CarriedPod {
  object: DocumentMeta;
  pod: Pod;
  ctx: InjectionContext;
  where: string;
}

/**
 * The document with each pod it carries (itself, a workload's pod template,
 * the items of a v1 List) replaced by what `rewrite` returns; undefined keeps the pod.
 */
export function mapCarriedPods(document: unknown, ctx: InjectionContext, where: string, rewrite: (carried: CarriedPod) => unknown): unknown {
  if (typeof document !== 'object' || document === null) return document;
  const object = document as DocumentMeta;
  if (object.kind === 'List' && Array.isArray(object.items)) {
    return { ...object, items: object.items.map((item, i) => mapCarriedPods(item, ctx, `${where} item ${i + 1}`, rewrite)) };
  }
  const carried = carriedPod(object);
  if (!carried) return document;
  const { pod, templatePath } = carried;
  const namespace = object.metadata?.namespace ?? ctx.namespace;
  const replaced = rewrite({ object, pod, ctx: namespace !== undefined ? { ...ctx, namespace } : ctx, where });
  if (replaced === undefined) return document;
  return templatePath ? withAt(object, templatePath, replaced) : replaced;
}

/** Injects one document; returns it (possibly unchanged) or throws with the refusal. */
export function injectDocument(document: unknown, ctx: InjectionContext, where: string, warn: (line: string) => void = () => {}): unknown {
  return mapCarriedPods(document, ctx, where, ({ object, pod, ctx: podCtx, where: at }) => {
    const outcome = injectPod(pod, podCtx);
    if (outcome.result === 'refused') {
      const name = object.metadata?.name ?? pod.metadata?.generateName ?? '';
      throw new InjectCommandError(`${at}: ${object.kind} ${name}: ${outcome.message}`);
    }
    for (const warning of outcome.warnings ?? []) warn(`Warning: ${at}: ${object.kind} ${object.metadata?.name ?? ''}: ${warning}`);
    return outcome.result === 'skipped' ? undefined : outcome.pod;
  });
}

/** The input documents (`-f FILE` or `-` for stdin), empty documents dropped; `source` names the input in messages. */
export async function readInputDocuments(filename: string, io: CliIO): Promise<{ source: string; documents: unknown[] }> {
  const source = filename === '-' ? 'stdin' : filename;
  let text: string;
  try {
    text = filename === '-' ? await io.readStdin() : readFileSync(filename, 'utf8');
  } catch (error) {
    throw new InjectCommandError(`cannot read ${source}: ${(error as Error).message}`);
  }
  return { source, documents: readYamlDocuments(text, source).filter((document) => document !== null && document !== undefined) };
}

/** Runs the command on already-parsed options; returns the YAML to print. */
export async function runInject(options: InjectOptions, io: CliIO): Promise<string> {
  const ctx = contextFrom(options);
  const { source, documents } = await readInputDocuments(options.filename, io);
  const warn = (line: string): void => io.stderr(`${line}\n`);
  return documents
    .map((document, i) => stringify(injectDocument(document, ctx, `${source} document ${i + 1}`, warn), YAML_OUT))
    .join('---\n');
}

/** The input and injector flags, shared by `inject` and `explain` (their options are InjectOptions). */
export function withInjectionFlags(command: Command): Command {
  return command
    .requiredOption('-f, --filename <file>', 'YAML file with one or more documents, or - for stdin')
    .option('--config <file>', 'injector config (kuma-cp config or a bare runtime.kubernetes.injector block)')
    .addOption(new Option('--config-defaults <base>', 'start from kuma-cp 2.13 defaults or from zero values').choices(['kuma', 'none']).default('kuma'))
    .option('--state <file>', 'YAML with Namespaces, Meshes, ContainerPatches, ConfigMaps (repeatable)', collect, [])
    .option('--namespace <name>', 'namespace for objects that name none')
    .option('--control-plane-url <url>', 'control-plane URL for the sidecar', controlPlaneUrl, defaultSettings.controlPlaneUrl)
    .option('--ca-cert-file <file>', 'control-plane CA certificate (overrides caCertFile of the config)')
    .option('--system-namespace <name>', 'namespace of Kuma (ContainerPatches, ConfigMap)', defaultSettings.systemNamespace)
    .option('--envoy-admin-port <port>', 'Envoy admin port', targetPort, defaultSettings.envoyAdminPort)
    .option('--sidecar-containers <mode>', 'native sidecars: on, off, or auto (with --server-version)', sidecarMode, 'off' as SidecarContainersMode)
    .option('--server-version <version>', 'Kubernetes server version for --sidecar-containers auto (e.g. 1.30)', serverVersion)
    .option('--delta-xds', 'sidecars use delta xDS', false);
}

/** The `inject` sub-command; `io` lets tests run it in-process. */
export function injectCommand(io: CliIO = processIO): Command {
  return withInjectionFlags(
    new Command('inject').description('inject the Kuma sidecar into Pods and workload pod templates (YAML in, YAML out)'),
  )
    .action((options: InjectOptions, command: Command) => printOrFail(command, io, 'kuma-injector.inject', () => runInject(options, io)));
}

/** Prints what `produce` returns, or fails the command with `Error: <message>` and exit code 1 (as kubectl does). */
export async function printOrFail(command: Command, io: CliIO, code: string, produce: () => Promise<string>): Promise<void> {
  let output: string;
  try {
    output = await produce();
  } catch (error) {
    command.error(`Error: ${commandErrorText(error)}`, { exitCode: 1, code });
  }
  io.stdout(output);
}

/** Runs `inject` with these arguments in-process; resolves to the exit code. */
export async function runInjectArgv(argv: string[], io: CliIO): Promise<number> {
  const command = injectCommand(io)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await command.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}
