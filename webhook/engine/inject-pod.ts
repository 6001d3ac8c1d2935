// Kuma 2.13.10's InjectKuma as a pure function: precheck, then the
// mutations in Kuma's order, each applied to a copy-on-write working copy and
// recorded as a JSON-patch operation. The input pod is never modified.
import { getEnabled } from './annotations.ts';
import { Keys } from './annotation-keys.ts';
import { applyContainerPatches, loadContainerPatches, type NamedPatches } from './container-patches.ts';
import { type InjectionContext, InjectionError } from './context.ts';
import { rewriteAppProbes } from './app-probes.ts';
import { newInitContainer, newValidationContainer } from './init-containers.ts';
import { legacyPlan } from './legacy-plan.ts';
import type { InjectionOutcome } from './outcome.ts';
import { PatchRecorder } from './patch-recorder.ts';
import type { Container, Pod } from './pod-types.ts';
import { malformedPod } from './pod-shape.ts';
import { precheck } from './precheck.ts';
import { asNativeSidecar, newSidecarContainer } from './sidecar-container.ts';
import { spireEnabled } from './spire.ts';
import { configPathSetup } from './tproxy-config-path.ts';
import { hostPathVolume, Volumes } from './volumes.ts';
import { legacyPathWarnings } from './warnings.ts';

const ANNOTATIONS = ['metadata', 'annotations'] as const;
const LABELS = ['metadata', 'labels'] as const;

function annotationsOf(recorder: PatchRecorder): Record<string, string> | undefined {
  return recorder.get(ANNOTATIONS) as Record<string, string> | undefined;
}

/** The legacy path (2.13 default): annotations carry the tproxy settings; kuma-init gets kumactl flags. */
function legacyPath(
  recorder: PatchRecorder,
  mesh: string,
  ctx: InjectionContext,
  initPatches: NamedPatches,
  warnings: string[],
): Container | undefined {
  const { redirectPortInbound, redirectPortOutbound } = ctx.config.sidecarContainer;
  warnings.push(...legacyPathWarnings(annotationsOf(recorder), redirectPortInbound, redirectPortOutbound));
  const { written, redirect } = legacyPlan(annotationsOf(recorder), ctx);
  recorder.setEntries(ANNOTATIONS, written);
  recorder.setEntry(LABELS, Keys.mesh, mesh);
  const merged = annotationsOf(recorder);
  if (!ctx.config.cniEnabled) return applyContainerPatches(newInitContainer(redirect.args, merged, ctx), initPatches);
  if (redirect.redirectInbound) return applyContainerPatches(newValidationContainer(merged, ctx), initPatches);
  return undefined;
}

function mutate(input: Pod, mesh: string, ctx: InjectionContext, warnings: string[]): PatchRecorder {
  const { config, settings } = ctx;
  const recorder = new PatchRecorder(input);
  const pod = recorder.doc;
  recorder.ensureMap(['metadata']);
  recorder.ensureMap(ANNOTATIONS);

  const containers = input.spec?.containers ?? [];
  if (containers.length === 1 && annotationsOf(recorder)?.[Keys.defaultContainer] === undefined) {
    recorder.setEntry(ANNOTATIONS, Keys.defaultContainer, containers[0]!.name);
  }

  const patches = loadContainerPatches(pod, ctx);
  const sidecar = newSidecarContainer(pod, mesh, ctx);

  recorder.append(['spec', 'volumes'], Volumes.initTmp);
  recorder.append(['spec', 'volumes'], Volumes.sidecarTmp);
  if (spireEnabled(annotationsOf(recorder), ctx)) recorder.append(['spec', 'volumes'], Volumes.spireSocket);

  // A ContainerPatch applies to the whole sidecar, mounts included. Without one, the shared
  // sidecar goes in as it is (its JSON kept) and the pod's own mounts follow in their own operation.
  const patched = patches.sidecar.patches.length > 0;
  const unplaced = patched ? applyContainerPatches({ ...sidecar.shared, volumeMounts: sidecar.volumeMounts }, patches.sidecar) : sidecar.shared;
  const mountsAfter = patched ? undefined : sidecar.volumeMounts;

  const injectedInit =
    config.transparentProxyConfigMap !== ''
      ? configPathSetup(recorder, mesh, ctx, patches.init, warnings)
      : legacyPath(recorder, mesh, ctx, patches.init, warnings);

  if (config.ebpf.enabled) {
    recorder.append(['spec', 'volumes'], hostPathVolume('sys-fs-cgroup', config.ebpf.cgroupPath));
    recorder.append(['spec', 'volumes'], hostPathVolume('bpf-fs', config.ebpf.bpffsPath));
  }

  const initFirst = getEnabled(annotationsOf(recorder), Keys.initFirst).value;
  const native = settings.sidecarContainersEnabled;
  const placed = native ? asNativeSidecar(unplaced) : unplaced;
  const insertSidecar = (list: 'containers' | 'initContainers', index: number): void => {
    recorder.insert(['spec', list], index, placed);
    if (mountsAfter) recorder.add(['spec', list, index, 'volumeMounts'], mountsAfter);
  };
  const prepend: Container[] = [];
  const append: Container[] = [];
  if (injectedInit) (initFirst || native ? prepend : append).push(injectedInit);
  if (native) prepend.push(placed);
  else insertSidecar('containers', 0);
  prepend.forEach((container, index) => (container === placed ? insertSidecar('initContainers', index) : recorder.insert(['spec', 'initContainers'], index, container)));
  for (const container of append) recorder.append(['spec', 'initContainers'], container);

  rewriteAppProbes(recorder, annotationsOf(recorder));
  return recorder;
}

export function injectPod(input: Pod, ctx: InjectionContext): InjectionOutcome {
  const malformed = malformedPod(input);
  if (malformed !== undefined) return { result: 'refused', reason: 'invalid_pod', message: `invalid pod: ${malformed}` };
  try {
    const decision = precheck(input, ctx);
    const { warnings } = decision;
    const withWarnings = (): { warnings?: string[] } => (warnings.length > 0 ? { warnings } : {});
    if (decision.decision === 'skip') {
      return { result: 'skipped', reason: decision.reason, message: decision.message, ...withWarnings() };
    }
    const recorder = mutate(input, decision.mesh, ctx, warnings);
    return { result: 'injected', pod: recorder.doc, patch: recorder.ops, ...withWarnings() };
  } catch (error) {
    if (error instanceof InjectionError) return { result: 'refused', reason: error.reason, message: error.message };
    // A TypeError or the like is a bug here: let the caller answer 500 (Kuma's Errored) and the failurePolicy decide.
    if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) throw error;
    // Everything else comes from parsing the pod's annotations, with Kuma's texts.
    return { result: 'refused', reason: 'invalid_annotation', message: (error as Error).message };
  }
}
