// The JSON text of a recorded patch, the same text JSON.stringify gives. An
// operation's envelope is written by hand and a shared value's kept text is
// used as it is, so only the values built for this pod are serialized: for a
// typical pod the two containers, most of the patch's bytes, are kept text.
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
