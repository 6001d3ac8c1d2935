// How deep a parsed JSON body nests, found without recursion: JSON.parse takes
// 20,000 levels, but JSON.stringify, structuredClone and any recursive walk
// overflow the stack on them (issue 9, defect 5). Checked once per review,
// before anything else reads it.

/** True when `value` has arrays or objects nested more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= max) return true;
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return false;
}
