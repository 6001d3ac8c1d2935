// Operations that are the same for many pods: a string or a shared value
// (shared-value.ts) written at the same place, such as the injector's
// annotations, its volumes and kuma-init. Each is kept as a shared value, so
// it is built, and its JSON written, once rather than per admission. Keyed by
// content (pointer, token, value), so a kept operation is always the one that
// would be built; bounded in number and in size, since a pod's own values
// (copied into the injector's annotations) can reach here too.
import type { RecordedOperation } from './patch-recorder.ts';
import { shareValue, sharedJson } from './shared-value.ts';

type Kind = RecordedOperation['op'];

const maxKept = 4096;
/** Longer strings are written per admission: up to 4096 of them could otherwise hold a gigabyte. */
const maxKeptString = 256;
let keptCount = 0;
const kept = { add: new Map<string, Map<string, Map<unknown, RecordedOperation>>>(), replace: new Map<string, Map<string, Map<unknown, RecordedOperation>>>() };

/** The operation `op` of `value` at `pointer`/`token` (token already escaped). */
export function operation(op: Kind, pointer: string, token: string, value: unknown): RecordedOperation {
  const keepable = typeof value === 'string' ? value.length <= maxKeptString : sharedJson(value) !== undefined;
  if (!keepable) return { op, path: `${pointer}/${token}`, value };
  let byToken = kept[op].get(pointer);
  if (byToken === undefined) kept[op].set(pointer, (byToken = new Map<string, Map<unknown, RecordedOperation>>()));
  let byValue = byToken.get(token);
  if (byValue === undefined) byToken.set(token, (byValue = new Map<unknown, RecordedOperation>()));
  let operation = byValue.get(value);
  if (operation === undefined) {
    if (keptCount >= maxKept) forgetAll();
    operation = shareValue<RecordedOperation>({ op, path: `${pointer}/${token}`, value });
    byValue.set(value, operation);
    keptCount++;
  }
  return operation;
}

function forgetAll(): void {
  kept.add.clear();
  kept.replace.clear();
  keptCount = 0;
}
