/**
 * The teacher of several cross-encoders: the mean of their scores for each pair (the Margin-MSE paper's best teacher
 * is such an ensemble). Teachers score on their own scales (one's logits span ±10, another's ±3), so each may first be
 * standardised over all the pairs it scored (z = (s − mean) / std, population std): the mean then weighs the
 * teachers equally instead of letting the widest scale decide the margins.
 */

/** Mean and population standard deviation; a constant teacher (std 0) is refused, its z-scores would be undefined. */
export function moments(scores: ArrayLike<number>): { mean: number; std: number } {
  if (scores.length === 0) throw new Error('ensemble: a teacher scored no pairs');
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += scores[i] as number;
  const mean = sum / scores.length;
  let squares = 0;
  for (let i = 0; i < scores.length; i++) squares += ((scores[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(squares / scores.length) };
}

/** Each teacher's scores for the same pairs, in the same order → one score a pair. */
export function ensembleScores(teachers: readonly ArrayLike<number>[], standardise: boolean): Float64Array {
  if (teachers.length === 0) throw new Error('ensemble: no teacher');
  return ensembleWith(teachers, teachers.map((t) => (standardise ? moments(t) : { mean: 0, std: 1 })));
}

/**
 * The mean over teachers of (score − mean) / std with each teacher's moments given: the ensemble of a block of
 * pairs when the moments were taken over all of them (a job's scores are read a block at a time).
 */
export function ensembleWith(teachers: readonly ArrayLike<number>[], stats: readonly { mean: number; std: number }[]): Float64Array {
  if (teachers.length === 0) throw new Error('ensemble: no teacher');
  const n = (teachers[0] as ArrayLike<number>).length;
  teachers.forEach((t, i) => {
    if (t.length !== n) throw new Error(`ensemble: teacher ${i + 1} scored ${t.length} pairs, teacher 1 scored ${n}`);
  });
  const out = new Float64Array(n);
  teachers.forEach((t, i) => {
    const { mean, std } = stats[i] as { mean: number; std: number };
    if (std === 0) throw new Error(`ensemble: teacher ${i + 1} gave every pair the same score, which cannot be standardised`);
    for (let j = 0; j < n; j++) out[j] = (out[j] as number) + ((t[j] as number) - mean) / std / teachers.length;
  });
  return out;
}
