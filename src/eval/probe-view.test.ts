import { describe, expect, it } from 'vitest';
import { agreementOf, evenSample, MARGIN_BINS, probeView, SCATTER_POINTS, SCORE_BINS } from './probe-view';
import { Rng } from '../util/random';

/** Counts of `values` in `bins` equal bins over [lo, hi], written from the definition: a value v falls in bin
 * b when lo + b·w ≤ v < lo + (b+1)·w, the top edge hi in the last bin. */
function referenceCounts(values: number[], bins: number, lo: number, hi: number): number[] {
  const w = (hi - lo) / bins;
  return Array.from({ length: bins }, (_, b) => values.filter((v) => (b === bins - 1 ? v >= lo + b * w && v <= hi : v >= lo + b * w && v < lo + (b + 1) * w)).length);
}

function scores(n: number, seed: number, scale: number): { pos: Float32Array; neg: Float32Array } {
  const rng = new Rng(seed);
  return { pos: Float32Array.from({ length: n }, () => scale * rng.next()), neg: Float32Array.from({ length: n }, () => scale * rng.next() - scale / 2) };
}

describe('probeView', () => {
  it('measures agreement and Margin-MSE from the margins', () => {
    // Teacher margins 3 2 1 4, student 6 4 2 8: the same order (tau 1) on a line (r 1);
    // Margin-MSE = ((6-3)² + (4-2)² + (2-1)² + (8-4)²) / 4 = (9 + 4 + 1 + 16) / 4 = 7.5.
    const a = agreementOf({ pos: [3, 2, 1, 4], neg: [0, 0, 0, 0] }, { pos: [6, 4, 2, 8], neg: [0, 0, 0, 0] });
    expect(a.pearson).toBeCloseTo(1, 12);
    expect(a.kendall).toBe(1);
    expect(a.marginMse).toBe(7.5);
    // Reversed order: every pair discordant, tau −1.
    expect(agreementOf({ pos: [1, 2, 3], neg: [0, 0, 0] }, { pos: [3, 2, 1], neg: [0, 0, 0] }).kendall).toBe(-1);
    expect(() => agreementOf({ pos: [1, 2], neg: [0, 0] }, { pos: [1], neg: [0] })).toThrow(/teacher scores 2 probe triples, the student 1/);
  });

  it('bins teacher and student margins into shared bins that count every triple', () => {
    const teacher = scores(500, 1, 10);
    const student = scores(500, 2, 1);
    const view = probeView(teacher, student);
    // Margins are kept as float32, as the page receives them.
    const t = Array.from(teacher.pos, (p, i) => Math.fround(p - (teacher.neg[i] as number)));
    const s = Array.from(student.pos, (p, i) => Math.fround(p - (student.neg[i] as number)));
    const lo = Math.min(...t, ...s);
    const hi = Math.max(...t, ...s);
    expect(view.margins.bins).toHaveLength(MARGIN_BINS);
    expect(view.margins.bins[0]?.lo).toBeCloseTo(lo, 5);
    expect(view.margins.bins.map((b) => b.counts[0])).toEqual(referenceCounts(t, MARGIN_BINS, lo, hi));
    expect(view.margins.bins.map((b) => b.counts[1])).toEqual(referenceCounts(s, MARGIN_BINS, lo, hi));
    expect(view.margins.bins.reduce((n, b) => n + (b.counts[0] as number), 0)).toBe(500);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    expect(view.margins.teacher.mean).toBeCloseTo(mean, 4);
    expect(view.margins.teacher.std).toBeCloseTo(Math.sqrt(t.reduce((a, x) => a + (x - mean) ** 2, 0) / t.length), 4);
  });

  it('bins raw scores (positives and negatives together) on each one\'s own range, with exact statistics', () => {
    const teacher = { pos: Float32Array.of(8, 10), neg: Float32Array.of(2, 4) };
    const student = { pos: Float32Array.of(0.5, 0.25), neg: Float32Array.of(0, -0.25) };
    const view = probeView(teacher, student);
    // Teacher scores 8 10 2 4: mean 6, variance (4 + 16 + 16 + 4) / 4 = 10.
    expect(view.scores.teacher.stats).toEqual({ mean: 6, std: Math.sqrt(10), min: 2, max: 10, count: 4 });
    expect(view.scores.teacher.bins).toHaveLength(SCORE_BINS);
    expect(view.scores.teacher.bins.map((b) => b.counts[0])).toEqual(referenceCounts([8, 10, 2, 4], SCORE_BINS, 2, 10));
    expect(view.scores.student.bins[0]?.lo).toBe(-0.25);
    expect(view.scores.student.bins.map((b) => b.counts[0])).toEqual(referenceCounts([0.5, 0.25, 0, -0.25], SCORE_BINS, -0.25, 0.5));
  });

  it('samples the scatter evenly, at most SCATTER_POINTS pairs of the same triples', () => {
    expect(evenSample(3, 5)).toEqual([0, 1, 2]);
    expect(evenSample(10, 4)).toEqual([0, 2, 5, 7]);
    expect(() => evenSample(10, 0)).toThrow(/positive integer/);
    const teacher = scores(1000, 3, 10);
    const student = scores(1000, 4, 1);
    const view = probeView(teacher, student);
    expect(view.scatter.teacher).toHaveLength(SCATTER_POINTS);
    const i = Math.floor((17 * 1000) / SCATTER_POINTS);
    expect(view.scatter.teacher[17]).toBeCloseTo((teacher.pos[i] as number) - (teacher.neg[i] as number), 5);
    expect(view.scatter.student[17]).toBeCloseTo((student.pos[i] as number) - (student.neg[i] as number), 5);
    const small = probeView({ pos: [1, 2], neg: [0, 0] }, { pos: [3, 5], neg: [1, 1] });
    expect(small.scatter).toEqual({ teacher: [1, 2], student: [2, 4] });
  });
});
