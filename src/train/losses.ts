/** Distillation losses over per-triple scores. Inputs are [batch] vectors; the result is a scalar. */
import * as tf from '../model/tf';

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
