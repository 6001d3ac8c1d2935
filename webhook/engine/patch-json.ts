// The JSON text of a recorded patch, the same text JSON.stringify gives. A kept
// operation (kept-operations.ts) is written from its kept text; any other has
// its envelope written by hand and a shared value's kept text used as it is,
// so only what was built for this pod is serialized: for a typical pod 20 of
// its 23 operations, and most of its bytes, are kept text.
import type { RecordedOperation } from './patch-recorder.ts';
import { quoteJson, sharedJson, valueJson } from './shared-value.ts';

export function patchJson(ops: readonly RecordedOperation[]): string {
  // Joined once at the end: the text comes out flat, not as a rope of concatenations.
  const texts: string[] = [];
  for (const op of ops) {
    const kept = sharedJson(op);
    if (kept !== undefined) {
      texts.push(kept);
      continue;
    }
    // As JSON.stringify: an undefined value is left out.
    const value = op.value === undefined ? '' : `,"value":${valueJson(op.value)}`;
    texts.push(`{"op":"${op.op}","path":${quoteJson(op.path)}${value}}`);
  }
  return `[${texts.join(',')}]`;
}
