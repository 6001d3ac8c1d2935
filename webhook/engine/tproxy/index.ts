// The two transparent-proxy paths behind one signature: the legacy
// annotations (the 2.13 default) and the ConfigMap path.
import type { InjectionContext } from '../context.ts';
import { configMapPath } from './config-map-path.ts';
import { legacyPath } from './legacy-path.ts';
import type { TproxyPath } from './tproxy-path.ts';

export type { TproxyPath } from './tproxy-path.ts';

/** The path this context's config chooses: a transparentProxyConfigMap selects the ConfigMap path. */
export const tproxyPath = (ctx: InjectionContext): TproxyPath => (ctx.config.transparentProxyConfigMap !== '' ? configMapPath : legacyPath);
