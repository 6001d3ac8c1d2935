// Kuma 2.13.10's InjectKuma as a pure function: precheck, then the mutations
// in Kuma's order, each applied to a copy-on-write working copy and recorded
// as a JSON-patch operation. The input pod is never modified; everything the
// outcome holds was built for this pod (the context's fixed parts are copied).
//
// Read on: precheck/ (whether and in which mesh), containers/ (kuma-sidecar,
// kuma-init, kuma-validation, volumes, ContainerPatches), tproxy/ (the legacy
// and ConfigMap paths), probes/ (the application's probes), patch/ (the recorder).
import {
  applyContainerPatches,
  asNativeSidecar,
  hostPathVolume,
  injectedVolume,
  loadContainerPatches,
  newSidecarContainer,
  spireEnabled,
} from './containers/index.ts';
import type { InjectionContext } from './context.ts';
import { InjectionError } from './errors.ts';
import type { InjectionOutcome } from './outcome.ts';
import { PatchRecorder } from './patch/index.ts';
import { type Container, getEnabled, Keys, malformedPod, type Pod } from './pod/index.ts';
import { precheck } from './precheck/index.ts';
import { rewriteAppProbes } from './probes/index.ts';
import { tproxyPath } from './tproxy/index.ts';

const ANNOTATIONS = ['metadata', 'annotations'] as const;
const VOLUMES = ['spec', 'volumes'] as const;

function annotationsOf(recorder: PatchRecorder): Record<string, string> | undefined {
  return recorder.get(ANNOTATIONS) as Record<string, string> | undefined;
}

function mutate(input: Pod, mesh: string, ctx: InjectionContext, warnings: string[]): PatchRecorder {
  const { config, fixed } = ctx;
  const recorder = new PatchRecorder(input);
  const pod = recorder.doc;
  recorder.ensureMap(['metadata']);
  recorder.ensureMap(ANNOTATIONS);

  const containers = input.spec?.containers ?? [];
  if (containers.length === 1 && annotationsOf(recorder)?.[Keys.defaultContainer] === undefined) {
    recorder.setEntry(ANNOTATIONS, Keys.defaultContainer, containers[0]!.name);
  }

  const patches = loadContainerPatches(pod, ctx);
  const sidecar = applyContainerPatches(newSidecarContainer(pod, mesh, ctx), patches.sidecar);

  recorder.append(VOLUMES, injectedVolume(fixed, 'initTmp'));
  recorder.append(VOLUMES, injectedVolume(fixed, 'sidecarTmp'));
  if (spireEnabled(annotationsOf(recorder), ctx)) recorder.append(VOLUMES, injectedVolume(fixed, 'spireSocket'));

  const injectedInit = tproxyPath(ctx)(recorder, mesh, ctx, patches.init, warnings);

  if (config.ebpf.enabled) {
    recorder.append(VOLUMES, hostPathVolume('sys-fs-cgroup', config.ebpf.cgroupPath));
    recorder.append(VOLUMES, hostPathVolume('bpf-fs', config.ebpf.bpffsPath));
  }

  // Placement: kuma-init last among the init containers unless kuma.io/init-first or native
  // sidecars put it first; the sidecar first among the containers, or (native) among the init
  // containers right after kuma-init.
  const initFirst = getEnabled(annotationsOf(recorder), Keys.initFirst).value;
  const native = ctx.settings.sidecarContainersEnabled;
  const prepend: Container[] = [];
  const append: Container[] = [];
  if (injectedInit) (initFirst || native ? prepend : append).push(injectedInit);
  if (native) prepend.push(asNativeSidecar(sidecar));
  else recorder.insert(['spec', 'containers'], 0, sidecar);
  prepend.forEach((container, index) => recorder.insert(['spec', 'initContainers'], index, container));
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
