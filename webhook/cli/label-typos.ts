// Near misses of the injection label and its values (`enbaled`,
// `kuma.io/sidecar-injetion`): a typo there silently keeps a namespace or a
// pod out of the mesh, so `explain` and `check` name the likely intent.
import { Keys } from '../engine/index.ts';

const LABEL_VALUES = ['enabled', 'disabled', 'true', 'false', 'yes', 'no'];
const KEYS = [Keys.sidecarInjection, Keys.mesh];

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

const near = (value: string, candidates: readonly string[]): string | undefined => {
  const lower = value.toLowerCase();
  return candidates.find((candidate) => candidate !== value && (candidate === lower || (value.length >= 3 && editDistance(lower, candidate) <= 2)));
};

/** "did you mean" hints for the labels of `what` (e.g. `namespace shop`); bounded: at most one per label. */
export function typoHints(what: string, labels: Record<string, string> | undefined): string[] {
  const hints: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {}).slice(0, 64)) {
    const intendedKey = KEYS.includes(key as (typeof KEYS)[number]) ? undefined : near(key, KEYS);
    if (intendedKey) {
      hints.push(`${what} has label ${key}=${value}: did you mean ${intendedKey}?`);
      continue;
    }
    if (key !== Keys.sidecarInjection || LABEL_VALUES.includes(value)) continue;
    const intendedValue = near(value, LABEL_VALUES);
    hints.push(
      intendedValue
        ? `${what} has ${key}=${value}: did you mean ${intendedValue}?`
        : `${what} has ${key}=${value}: not a value the injector reads (enabled, true, yes / disabled, false, no)`,
    );
  }
  return hints;
}
