// The one signature both transparent-proxy paths share, and what they read.
import type { InjectionContext } from '../context.ts';
import type { NamedPatches } from '../containers/index.ts';
import type { PatchRecorder } from '../patch/index.ts';
import type { Container } from '../pod/index.ts';

/**
 * Writes the path's annotations, the mesh label and its volumes, and returns
 * the container it adds before the application (kuma-init, or kuma-validation
 * in CNI mode), with the pod's init ContainerPatches applied; undefined when none.
 */
export type TproxyPath = (
  recorder: PatchRecorder,
  mesh: string,
  ctx: InjectionContext,
  initPatches: NamedPatches,
  warnings: string[],
) => Container | undefined;

export const ANNOTATIONS = ['metadata', 'annotations'] as const;
export const LABELS = ['metadata', 'labels'] as const;

/** The pod's annotations as written so far. */
export const annotationsOf = (recorder: PatchRecorder): Record<string, string> | undefined =>
  recorder.get(ANNOTATIONS) as Record<string, string> | undefined;
