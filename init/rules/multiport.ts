// iptables' multiport match holds at most 15 port references, a range (`a:b`)
// counting as two; a longer list makes iptables-restore fail the whole table.
// Kuma emits one rule regardless; we split the list over several rules.

export const MULTIPORT_MAX_REFS = 15;

const refs = (item: string): number => (item.includes(':') ? 2 : 1);

/**
 * The port list cut into lists of at most 15 references, in order. A list that
 * already fits is returned untouched, so Kuma's output is unchanged.
 */
export function splitPortList(ports: string, max = MULTIPORT_MAX_REFS): string[] {
  const items = ports.split(',');
  if (items.reduce((n, item) => n + refs(item), 0) <= max) return [ports];
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const item of items.filter((i) => i.trim() !== '')) {
    if (used + refs(item) > max) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += refs(item);
  }
  chunks.push(current);
  return chunks.map((chunk) => chunk.join(','));
}
