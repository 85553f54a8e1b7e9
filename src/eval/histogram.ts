/**
 * Histogram binning and summary statistics. Pure, so the bins a chart draws can be tested; here (not in ui/) so that
 * the training worker bins the probe set itself and the page only draws counts (eval/probe-view.ts).
 */
export interface Bin {
  /** Left edge and centre of the bin. */
  lo: number;
  mid: number;
  counts: number[];
}

/** The smallest and largest finite value over all series, or null when there is none. */
export function finiteRange(series: readonly ArrayLike<number>[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i] as number;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? null : [lo, hi];
}

/** The range to bin over: the finite values' range, widened when it is a single point. */
export function extent(series: readonly ArrayLike<number>[]): [number, number] {
  const range = finiteRange(series);
  if (!range) return [0, 1];
  const [lo, hi] = range;
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Counts each series into the same `bins` equal-width bins over [lo, hi]; the last bin includes hi. */
export function histogram(series: readonly ArrayLike<number>[], bins: number, range: [number, number] = extent(series)): Bin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  const [lo, hi] = range;
  const width = (hi - lo) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, b) => ({ lo: lo + b * width, mid: lo + (b + 0.5) * width, counts: series.map(() => 0) }));
  series.forEach((s, k) => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i] as number;
      if (!Number.isFinite(v) || v < lo || v > hi) continue;
      const b = Math.min(bins - 1, Math.floor((v - lo) / width));
      const bin = out[b] as Bin;
      bin.counts[k] = (bin.counts[k] ?? 0) + 1;
    }
  });
  return out;
}

export function margins(pos: ArrayLike<number>, neg: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: pos.length }, (_, i) => (pos[i] as number) - (neg[i] as number));
}

export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

/** Whether two binnings are the same bins with the same counts (the teacher's, probe after probe). */
export function sameBins(a: readonly Bin[], b: readonly Bin[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i] as Bin;
    return x.lo === y.lo && x.mid === y.mid && x.counts.length === y.counts.length && x.counts.every((c, k) => c === y.counts[k]);
  });
}
