/** Distillation losses over per-triple scores. Inputs are [batch] vectors; the result is a scalar. */
import * as tf from '../model/tf';
import type { LossName } from '../config/loss-names';

export { LOSSES, LOSS_LABELS, type LossName } from '../config/loss-names';

export type LossFn = (studentPos: tf.Tensor1D, studentNeg: tf.Tensor1D, teacherPos: tf.Tensor1D, teacherNeg: tf.Tensor1D) => tf.Scalar;

/**
 * Margin-MSE (Hofstätter et al. 2020): the student's margin S(q,p+) - S(q,p-) is pulled towards the teacher's.
 * Only differences of scores enter, so teacher and student may score at any magnitudes.
 */
export function marginMseLoss(studentPos: tf.Tensor1D, studentNeg: tf.Tensor1D, teacherPos: tf.Tensor1D, teacherNeg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const diff = studentPos.sub(studentNeg).sub(teacherPos.sub(teacherNeg));
    return diff.square().mean() as tf.Scalar;
  });
}

/** Pointwise MSE on raw scores: the student must hit the teacher's magnitudes, which another architecture may not. */
export function mseLoss(studentPos: tf.Tensor1D, studentNeg: tf.Tensor1D, teacherPos: tf.Tensor1D, teacherNeg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.concat([studentPos.sub(teacherPos), studentNeg.sub(teacherNeg)]).square().mean() as tf.Scalar);
}

/** log(1 + e^x), written to stay finite for large |x|. */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.relu(x).add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/**
 * RankNet weighted by the teacher: binary cross-entropy with logits on the student margin, the target being which
 * passage the teacher prefers, each triple weighted by the size of the teacher's margin. (The weight is |margin|
 * with the target flipped when the teacher prefers the "negative", so that no triple is rewarded without bound.)
 */
export function weightedRankNetLoss(studentPos: tf.Tensor1D, studentNeg: tf.Tensor1D, teacherPos: tf.Tensor1D, teacherNeg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const s = studentPos.sub(studentNeg);
    const t = teacherPos.sub(teacherNeg);
    // BCE(logit s, target 1) = softplus(-s); target 0 = softplus(s): sign(t) picks which. A tie (t = 0) weighs
    // nothing. No casts: a bool-to-float cast on the WebGPU backend has produced garbage here.
    const signed = s.mul(tf.sign(t));
    return softplus(tf.neg(signed)).mul(tf.abs(t)).mean() as tf.Scalar;
  });
}

/** RankNet without a teacher: the positive should outscore the negative. The baseline the paper improves on. */
export function rankNetLoss(studentPos: tf.Tensor1D, studentNeg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => softplus(tf.neg(studentPos.sub(studentNeg))).mean() as tf.Scalar);
}

export function lossFunction(name: LossName): LossFn {
  switch (name) {
    case 'margin-mse':
      return marginMseLoss;
    case 'mse':
      return mseLoss;
    case 'weighted-ranknet':
      return weightedRankNetLoss;
    case 'ranknet':
      return (sPos, sNeg) => rankNetLoss(sPos, sNeg);
    default: {
      const unreachable: never = name;
      throw new Error(`unknown loss ${String(unreachable)}`);
    }
  }
}
