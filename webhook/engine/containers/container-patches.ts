// ContainerPatch resources (kuma.io/v1alpha1): the config's list plus the
// pod's kuma.io/container-patches, read from the system namespace, applied as
// JSON patches to the sidecar and to the init/validation container. A patch's
// pointers come from a cluster object: one naming `__proto__`, `constructor`
// or `prototype` is refused when the patch is loaded, and patches are applied
// through own properties only, so no pointer reaches an object's prototype.
import type { InjectionContext } from '../context.ts';
import { InjectionError } from '../errors.ts';
import { goQuoteList } from '../../../go-compat/index.ts';
import { type Container, getList, Keys, type Pod } from '../pod/index.ts';

interface PatchBlock {
  op: string;
  path: string;
  from?: string;
  /** JSON text, as the CRD stores it. */
  value?: string;
}

export interface NamedPatches {
  names: string[];
  patches: PatchBlock[];
}

/** Pointer tokens that would reach an object's prototype (or its constructor) in JavaScript. */
const forbiddenTokens = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a block of a ContainerPatch cannot be applied safely, or undefined. */
function blockProblem(block: unknown): string | undefined {
  if (typeof block !== 'object' || block === null) return 'an operation is not an object';
  const { op, path, from, value } = block as Record<string, unknown>;
  if (typeof op !== 'string' || typeof path !== 'string') return 'an operation has no op or path';
  if ((from !== undefined && typeof from !== 'string') || (value !== undefined && typeof value !== 'string')) return `${op} ${path}: from and value must be strings`;
  for (const pointer of [path, from ?? '']) {
    const token = pointer.split('/').map(unescape).find((part) => forbiddenTokens.has(part));
    if (token !== undefined) return `path ${JSON.stringify(pointer)} names ${JSON.stringify(token)}`;
  }
  return undefined;
}

/** The blocks of one part of a ContainerPatch, checked; throws a refusal naming the patch. */
function checkedBlocks(name: string, blocks: unknown): PatchBlock[] {
  if (blocks === undefined || blocks === null) return [];
  if (!Array.isArray(blocks)) throw new InjectionError('container_patch_invalid', `container patch ${JSON.stringify(name)} is invalid: its patches are not a list`);
  for (const block of blocks) {
    const problem = blockProblem(block);
    if (problem) throw new InjectionError('container_patch_invalid', `container patch ${JSON.stringify(name)} is refused: ${problem}`);
  }
  return blocks as PatchBlock[];
}

export function loadContainerPatches(pod: Pod, ctx: InjectionContext): { sidecar: NamedPatches; init: NamedPatches } {
  const names = [...ctx.config.containerPatches, ...getList(pod.metadata?.annotations, Keys.containerPatches)];
  const sidecar: NamedPatches = { names: [], patches: [] };
  const init: NamedPatches = { names: [], patches: [] };
  const missing: string[] = [];
  for (const name of names) {
    const found = ctx.state.containerPatch(ctx.settings.systemNamespace, name);
    if (found === undefined) {
      missing.push(name);
      continue;
    }
    const spec = (found.spec ?? {}) as { sidecarPatch?: unknown; initPatch?: unknown };
    const sidecarPatch = checkedBlocks(name, spec.sidecarPatch);
    const initPatch = checkedBlocks(name, spec.initPatch);
    if (sidecarPatch.length) {
      sidecar.names.push(name);
      for (const block of sidecarPatch) sidecar.patches.push(block);
    }
    if (initPatch.length) {
      init.names.push(name);
      for (const block of initPatch) init.patches.push(block);
    }
  }
  if (missing.length > 0) {
    throw new InjectionError(
      'container_patch_missing',
      `it appears some expected container patches are missing: ${goQuoteList(missing)}`,
    );
  }
  return { sidecar, init };
}

function unescape(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

type Node = Record<string, unknown> | unknown[];

/** Walks to the parent of a JSON pointer; with `create`, missing parents are made (EnsurePathExistsOnAdd). */
function parentOf(root: Node, path: string, create: boolean): { parent: Node; key: string } {
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(path)}`);
  const parts = path.slice(1).split('/').map(unescape);
  // Checked when loaded too: here so that no caller can reach a prototype.
  if (parts.some((part) => forbiddenTokens.has(part))) throw new Error(`path ${JSON.stringify(path)} reaches a prototype`);
  let node: Node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    // Own properties only: an inherited member (toString, ...) is not part of the container.
    let child = Object.hasOwn(node, part) ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof child !== 'object' || child === null) {
      if (!create) throw new Error(`path ${JSON.stringify(path)} does not exist`);
      const next = parts[i + 1]!;
      child = next === '-' || /^[0-9]+$/.test(next) ? [] : {};
      if (Array.isArray(node)) node.splice(index(node, part, true), 0, child);
      else node[part] = child;
    }
    node = child as Node;
  }
  return { parent: node, key: parts[parts.length - 1]! };
}

function index(parent: unknown[], key: string, forAdd: boolean): number {
  if (forAdd && key === '-') return parent.length;
  const position = Number(key);
  if (!/^[0-9]+$/.test(key) || position > parent.length - (forAdd ? 0 : 1)) {
    throw new Error(`index ${JSON.stringify(key)} out of bounds`);
  }
  return position;
}

function valueOf(block: PatchBlock): unknown {
  if (block.value === undefined) return null;
  try {
    return JSON.parse(block.value);
  } catch {
    throw new Error(`value of ${block.op} ${block.path} is not valid JSON: ${block.value}`);
  }
}

function applyOne(root: Node, block: PatchBlock): void {
  const read = (path: string): unknown => {
    const { parent, key } = parentOf(root, path, false);
    const value = Array.isArray(parent) ? parent[index(parent, key, false)] : Object.hasOwn(parent, key) ? parent[key] : undefined;
    if (value === undefined) throw new Error(`path ${JSON.stringify(path)} does not exist`);
    return value;
  };
  const remove = (path: string): unknown => {
    const { parent, key } = parentOf(root, path, false);
    if (Array.isArray(parent)) return parent.splice(index(parent, key, false), 1)[0];
    if (!Object.hasOwn(parent, key)) throw new Error(`path ${JSON.stringify(path)} does not exist`);
    const value = parent[key];
    delete parent[key];
    return value;
  };
  const add = (path: string, value: unknown): void => {
    const { parent, key } = parentOf(root, path, true);
    if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, value);
    else parent[key] = value;
  };
  switch (block.op) {
    case 'add':
      add(block.path, valueOf(block));
      break;
    case 'remove':
      remove(block.path);
      break;
    case 'replace':
      remove(block.path);
      add(block.path, valueOf(block));
      break;
    case 'move':
      add(block.path, remove(block.from ?? ''));
      break;
    case 'copy':
      add(block.path, structuredClone(read(block.from ?? '')));
      break;
    case 'test':
      if (JSON.stringify(read(block.path)) !== JSON.stringify(valueOf(block))) throw new Error(`test failed at ${block.path}`);
      break;
    default:
      throw new Error(`unexpected operation ${JSON.stringify(block.op)}`);
  }
}

/** Applies the blocks to a copy of the container; the original is untouched. */
export function applyContainerPatches(container: Container, patches: NamedPatches): Container {
  if (patches.patches.length === 0) return container;
  const patched = structuredClone(container);
  try {
    for (const block of patches.patches) applyOne(patched, block);
  } catch (error) {
    throw new InjectionError('container_patch_failed', `could not apply patches ${goQuoteList(patches.names)}: ${(error as Error).message}`);
  }
  return patched;
}
