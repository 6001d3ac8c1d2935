// Everything injectPod needs besides the pod. What is the same for every pod
// of one injector config and settings (the `fixed` parts) is built here, once,
// when the context is made; injectPod builds everything else fresh per pod.
import type { InjectorConfig, InjectorSettings } from '../config/index.ts';
import type { ClusterState } from '../state/index.ts';
import { fixedParts, type FixedParts } from './containers/index.ts';

export interface InjectionContext {
  config: InjectorConfig;
  settings: InjectorSettings;
  state: ClusterState;
  /** Namespace of the admission request; used when the pod itself names none. */
  namespace?: string;
  /** Built from config and settings by createInjectionContext; read only, copied into each pod. */
  readonly fixed: FixedParts;
}

export type ContextInputs = Omit<InjectionContext, 'fixed'>;

/** The context for these inputs; change config or settings only by making a new one. */
export function createInjectionContext(inputs: ContextInputs): InjectionContext {
  return { ...inputs, fixed: fixedParts(inputs.config, inputs.settings) };
}
