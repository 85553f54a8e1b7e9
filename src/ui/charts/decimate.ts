/**
 * Thinning a long series for drawing, keeping its shape: the series is cut into `buckets` runs of consecutive
 * points and each run keeps its smallest and largest value (min/max decimation). A spike of one step survives,
 * which taking every k-th point would drop; the chart draws at most about 2·buckets points however long the run.
 */

/**
 * Indices of the points to draw, ascending: for each of `buckets` equal runs of indices (the last may be shorter),
 * the index of its minimum and of its maximum (earliest on ties), and of its first non-finite value if it has one
 * (so a diverged step still shows, as a gap); the first and last index always. Every index when the series has
 * no more than 2·buckets points.
 */
export function minMaxIndices(values: ArrayLike<number>, buckets: number): number[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`minMaxIndices: buckets must be a positive integer, got ${buckets}`);
  const n = values.length;
  if (n <= 2 * buckets) return Array.from({ length: n }, (_, i) => i);
  const size = Math.ceil(n / buckets);
  const keep: number[] = [0];
  for (let from = 0; from < n; from += size) {
    const to = Math.min(n, from + size);
    let lo = -1;
    let hi = -1;
    let bad = -1;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) {
        if (bad < 0) bad = i;
        continue;
      }
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    for (const i of [lo, hi, bad].filter((i) => i >= 0).sort((a, b) => a - b)) if (i !== keep.at(-1)) keep.push(i);
  }
  if (keep.at(-1) !== n - 1) keep.push(n - 1);
  return keep;
}
