// Shared values (shared-value.ts) kept per loaded config and construction
// settings, keyed by everything else they are built from. A build that throws
// keeps nothing, so a bad input fails every time with the same error. The store
// is bounded, in number and in key size: values keyed by a pod's own annotations
// cannot grow it forever, nor fill it with a few huge ones.
import type { InjectorConfig } from '../config/injector-config.ts';
import type { InjectorSettings } from '../config/settings.ts';
import type { InjectionContext } from './context.ts';
import { shareValue } from './shared-value.ts';

const maxKept = 1024;
/** A longer key (a pod's long annotation among the inputs) is built per admission, not kept. */
const maxKeyLength = 4096;
const stores = new WeakMap<InjectorConfig, WeakMap<InjectorSettings, Map<string, object>>>();

function storeOf(ctx: InjectionContext): Map<string, object> {
  let bySettings = stores.get(ctx.config);
  if (!bySettings) stores.set(ctx.config, (bySettings = new WeakMap()));
  let store = bySettings.get(ctx.settings);
  if (!store) bySettings.set(ctx.settings, (store = new Map<string, object>()));
  return store;
}

/**
 * The shared value kept under `key` for this config and settings, built (and
 * shared) on first use; for an over-long key, a value built for this call alone.
 */
export function kept<T extends object>(ctx: InjectionContext, key: string, build: () => T): T {
  if (key.length > maxKeyLength) return build();
  const store = storeOf(ctx);
  let value = store.get(key) as T | undefined;
  if (value === undefined) {
    value = shareValue(build());
    if (store.size >= maxKept) store.clear();
    store.set(key, value);
  }
  return value;
}
