// How many objects and arrays a JSON text holds, counted on the text before
// it is parsed. Parsing is where a hostile body costs most: 7 MiB of `{},`
// become 2.4 million objects, about 200 MB of heap for one request, before
// any check on the parsed value can run. One pass over the characters,
// skipping strings, allocates nothing.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** True when `text` opens more than `max` objects and arrays (outside strings). */
export function holdsMoreContainersThan(text: string, max: number): boolean {
  // Each takes at least two characters: a shorter text cannot, and ordinary pods are not scanned at all
  // (the scan costs about as much as parsing).
  if (text.length <= 2 * max) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // To the closing quote; an escaped character (\" included) is skipped with its backslash.
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if ((c === OPEN_BRACE || c === OPEN_BRACKET) && ++count > max) return true;
  }
  return false;
}
