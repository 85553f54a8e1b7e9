/**
 * The false-negative rule: a mined "negative" the teacher scores nearly as high as the positive is more likely an
 * unjudged relevant passage than a negative, and distilling its margin teaches the student to push a relevant
 * passage down. As sentence-transformers' `mine_hard_negatives(relative_margin=m)`, a negative is dropped when its
 * score is above (1 − m) of its positive's; here the fraction itself is chosen (fraction = 1 − m).
 *
 * The rule reads scores as similarities on a positive scale. A cross-encoder's raw logits can be negative, where "a
 * fraction of the positive's score" means nothing, so they are read through the sigmoid first (`on: 'sigmoid'`: the
 * model's probability of relevance); other negative scores are refused rather than judged wrongly.
 */

export interface FalseNegativeRule {
  /** Drop a negative whose score is above this fraction of its positive's score; in (0, 1]. */
  fraction: number;
  /** 'sigmoid': compare σ(score) (a cross-encoder's logits); 'scores': the scores as they are (non-negative). */
  on: 'sigmoid' | 'scores';
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function isFalseNegative(positiveScore: number, negativeScore: number, rule: FalseNegativeRule): boolean {
  if (!(rule.fraction > 0 && rule.fraction <= 1)) throw new RangeError(`false-negative rule: the fraction must lie in (0, 1], got ${rule.fraction}`);
  if (!Number.isFinite(positiveScore) || !Number.isFinite(negativeScore)) throw new RangeError(`false-negative rule: scores must be finite, got ${positiveScore} and ${negativeScore}`);
  if (rule.on === 'sigmoid') return sigmoid(negativeScore) > rule.fraction * sigmoid(positiveScore);
  if (!(positiveScore >= 0) || !(negativeScore >= 0)) {
    throw new RangeError(`false-negative rule: scores must be non-negative similarities (a cosine, a probability); read logits with on: 'sigmoid', got ${positiveScore} and ${negativeScore}`);
  }
  return negativeScore > rule.fraction * positiveScore;
}

/** The triples the rule keeps (indices into the score arrays), and how many it dropped. */
export function applyFalseNegativeRule(positiveScores: ArrayLike<number>, negativeScores: ArrayLike<number>, rule: FalseNegativeRule | null): { kept: number[]; dropped: number } {
  if (positiveScores.length !== negativeScores.length) throw new Error(`false-negative rule: ${positiveScores.length} positive scores but ${negativeScores.length} negative ones`);
  const kept: number[] = [];
  for (let i = 0; i < positiveScores.length; i++) {
    if (!rule || !isFalseNegative(positiveScores[i] as number, negativeScores[i] as number, rule)) kept.push(i);
  }
  return { kept, dropped: positiveScores.length - kept.length };
}
