// What the injected containers and volumes have in common for every pod of one
// injector config and settings. createInjectionContext (context.ts) builds it
// once; each pod gets copies (copyJson), never these objects.
import type { InjectorConfig, InjectorSettings } from '../../config/index.ts';
import { canonicalQuantity, milliValue } from '../../quantity/index.ts';
import { type Container, copyJson, type EnvVar, type Json } from '../pod/index.ts';
import { initContainerBase, validationContainerBase } from './init-containers.ts';
import { builtinEnv, configEnv } from './sidecar-env.ts';
import { fixedVolumes } from './volumes.ts';

export interface FixedParts {
  /** kuma-init-tmp, kuma-sidecar-tmp, the SPIRE socket and the transparent-proxy base volume. */
  volumes: Record<keyof ReturnType<typeof fixedVolumes>, Json>;
  /** kuma-sidecar's resources, in the canonical quantities the typed Pod round trip renders. */
  sidecarResources: NonNullable<Container['resources']>;
  /** kuma-sidecar's `--concurrency` when the pod names none: the CPU limit in whole cores, at least 2. */
  defaultConcurrency: number;
  /** kuma-sidecar's built-in env that follows from config and settings, in Kuma's order. */
  builtinEnv: EnvVar[];
  /** The config's envVars, which win over every built-in. */
  configEnv: EnvVar[];
  /** kuma-init before its per-pod flags and transparent-proxy config mounts. */
  initContainer: Container;
  /** kuma-validation before its per-pod flags and mounts. */
  validationContainer: Container;
}

export function fixedParts(config: InjectorConfig, settings: InjectorSettings): FixedParts {
  const { resources } = config.sidecarContainer;
  return {
    volumes: fixedVolumes(),
    sidecarResources: {
      requests: { cpu: canonicalQuantity(resources.requests.cpu), memory: canonicalQuantity(resources.requests.memory), 'ephemeral-storage': '50M' },
      limits: { cpu: canonicalQuantity(resources.limits.cpu), memory: canonicalQuantity(resources.limits.memory), 'ephemeral-storage': '1G' },
    },
    defaultConcurrency: Math.max(Math.floor(milliValue(resources.limits.cpu) / 1000), 2),
    builtinEnv: builtinEnv(config, settings),
    configEnv: configEnv(config),
    initContainer: initContainerBase(config),
    validationContainer: validationContainerBase(config),
  };
}

/** The pod's own copy of one of the fixed volumes. */
export const injectedVolume = (fixed: FixedParts, name: keyof FixedParts['volumes']): Json => copyJson(fixed.volumes[name]);
