/**
 * What the page draws of one probe, summarised where the scores are: in the training worker. The page gets bin
 * counts, exact statistics, the teacher-student agreement and a bounded sample for the scatter, so that its main
 * thread never loops over the probe set while training (at real size the probe set holds tens of thousands of
 * triples, and Kendall's tau is quadratic in it).
 */
import { kendallTau, pearson } from './correlation';
import { finiteRange, histogram, margins, meanStd, type Bin } from './histogram';

/** Bins of the margin histogram (teacher and student share them, so their bars line up). */
export const MARGIN_BINS = 30;
/** Bins of each raw-score histogram (teacher and student each on their own range: their magnitudes differ). */
export const SCORE_BINS = 24;
/** Points of the teacher-versus-student scatter at most: more do not read better and cost the page to draw. */
export const SCATTER_POINTS = 256;

export interface Distribution {
  mean: number;
  std: number;
  /** Absent when there is no finite value. */
  min?: number;
  max?: number;
  count: number;
}

export interface ScoreBins {
  /** One count per bin (`counts[0]`). */
  bins: Bin[];
  stats: Distribution;
}

export interface Agreement {
  pearson: number;
  kendall: number;
  /** Margin-MSE on the probe set: mean of (student margin − teacher margin)², the training objective held out. */
  marginMse: number;
}

export interface ProbeView {
  /** Margins S(q,p⁺) − S(q,p⁻): `counts` is [teacher, student] in each shared bin. */
  margins: { bins: Bin[]; teacher: { mean: number; std: number }; student: { mean: number; std: number } };
  /** Raw scores, positives and negatives together. */
  scores: { teacher: ScoreBins; student: ScoreBins };
  agreement: Agreement;
  /** (teacher margin, student margin) of at most SCATTER_POINTS triples, evenly spaced over the probe set. */
  scatter: { teacher: number[]; student: number[] };
}

export interface ProbeScores {
  pos: ArrayLike<number>;
  neg: ArrayLike<number>;
}

function concat(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function scoreBins(s: ProbeScores): ScoreBins {
  const all = concat(s.pos, s.neg);
  const range = finiteRange([all]);
  return {
    bins: histogram([all], SCORE_BINS),
    stats: { ...meanStd(all), ...(range ? { min: range[0], max: range[1] } : {}), count: all.length },
  };
}

/** How well the student's margins follow the teacher's. */
export function agreementOf(teacher: ProbeScores, student: ProbeScores): Agreement {
  if (teacher.pos.length !== student.pos.length) throw new Error(`agreement: the teacher scores ${teacher.pos.length} probe triples, the student ${student.pos.length}`);
  const t = margins(teacher.pos, teacher.neg);
  const s = margins(student.pos, student.neg);
  let sq = 0;
  t.forEach((x, i) => (sq += ((s[i] as number) - x) ** 2));
  return { pearson: pearson(t, s), kendall: kendallTau(t, s), marginMse: t.length > 0 ? sq / t.length : NaN };
}

/** Indices of `m` of `n` items, evenly spaced from the first; all of them when n ≤ m. */
export function evenSample(n: number, m: number): number[] {
  if (!Number.isInteger(m) || m < 1) throw new Error(`evenSample: the sample size must be a positive integer, got ${m}`);
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: m }, (_, k) => Math.floor((k * n) / m));
}

/** The probe as the page draws it: the teacher's scores on the probe set and the student's at this probe. */
export function probeView(teacher: ProbeScores, student: ProbeScores): ProbeView {
  const agreement = agreementOf(teacher, student);
  const t = margins(teacher.pos, teacher.neg);
  const s = margins(student.pos, student.neg);
  const picked = evenSample(t.length, SCATTER_POINTS);
  return {
    margins: { bins: histogram([t, s], MARGIN_BINS), teacher: meanStd(t), student: meanStd(s) },
    scores: { teacher: scoreBins(teacher), student: scoreBins(student) },
    agreement,
    scatter: { teacher: picked.map((i) => t[i] as number), student: picked.map((i) => s[i] as number) },
  };
}
