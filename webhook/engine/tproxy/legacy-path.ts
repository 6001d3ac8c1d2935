// The legacy path (the 2.13 default): annotations carry the transparent-proxy
// settings (legacy-annotations.ts), and kuma-init gets them as kumactl flags
// read back from the pod's annotations with those written over them
// (kumactl-args.ts).
import { applyContainerPatches, newInitContainer, newValidationContainer } from '../containers/index.ts';
import { wrapError } from '../errors.ts';
import { Keys } from '../pod/index.ts';
import { legacyAnnotations } from './legacy-annotations.ts';
import { podRedirect } from './kumactl-args.ts';
import { legacyPathWarnings } from './path-warnings.ts';
import { ANNOTATIONS, annotationsOf, LABELS, type TproxyPath } from './tproxy-path.ts';

export const legacyPath: TproxyPath = (recorder, mesh, ctx, initPatches, warnings) => {
  const { redirectPortInbound, redirectPortOutbound } = ctx.config.sidecarContainer;
  const annotations = annotationsOf(recorder);
  warnings.push(...legacyPathWarnings(annotations, redirectPortInbound, redirectPortOutbound));
  const written = wrapError('could not generate annotations for pod', () => legacyAnnotations(annotations, ctx));
  recorder.setEntries(ANNOTATIONS, written);
  recorder.setEntry(LABELS, Keys.mesh, mesh);
  // The pod's annotations with those written over them.
  const merged = annotationsOf(recorder);
  const redirect = podRedirect(merged);
  if (!ctx.config.cniEnabled) return applyContainerPatches(newInitContainer(redirect.args, merged, ctx), initPatches);
  if (redirect.redirectInbound) return applyContainerPatches(newValidationContainer(merged, ctx), initPatches);
  return undefined;
};
