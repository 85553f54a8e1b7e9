import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { marginMseLoss } from './losses';

/** Plain-TypeScript Margin-MSE and its gradient with respect to the student scores. */
function reference(sPos: number[], sNeg: number[], tPos: number[], tNeg: number[]) {
  const n = sPos.length;
  const diff = sPos.map((s, i) => s - (sNeg[i] as number) - ((tPos[i] as number) - (tNeg[i] as number)));
  const loss = diff.reduce((a, d) => a + d * d, 0) / n;
  const dPos = diff.map((d) => (2 * d) / n);
  return { loss, dPos, dNeg: dPos.map((g) => -g) };
}

describe('marginMseLoss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases = [
    // Student dot products near 100, teacher logits near 5: only the margins meet.
    { sPos: [101.5, 97.25, 99], sNeg: [96, 98.5, 90.125], tPos: [7.5, 3.25, 9], tNeg: [2, 4.75, 1.5] },
    { sPos: [0.5], sNeg: [0.25], tPos: [-1], tNeg: [2] },
    { sPos: [1, 2, 3, 4], sNeg: [1, 2, 3, 4], tPos: [0, 0, 0, 0], tNeg: [0, 0, 0, 0] },
  ];

  it.each(cases)('value and gradients match the reference (%#)', async ({ sPos, sNeg, tPos, tNeg }) => {
    const ref = reference(sPos, sNeg, tPos, tNeg);
    const [tp, tn] = [tf.tensor1d(tPos), tf.tensor1d(tNeg)];
    const loss = marginMseLoss(tf.tensor1d(sPos), tf.tensor1d(sNeg), tp, tn);
    expect((await loss.data())[0]).toBeCloseTo(ref.loss, 4);
    const [gPos, gNeg] = tf.grads((a: tf.Tensor, b: tf.Tensor) => marginMseLoss(a as tf.Tensor1D, b as tf.Tensor1D, tp, tn))([tf.tensor1d(sPos), tf.tensor1d(sNeg)]);
    Array.from(await gPos!.data()).forEach((g, i) => expect(g).toBeCloseTo(ref.dPos[i] as number, 5));
    Array.from(await gNeg!.data()).forEach((g, i) => expect(g).toBeCloseTo(ref.dNeg[i] as number, 5));
  });

  it('is zero when the margins agree whatever the magnitudes', async () => {
    const loss = marginMseLoss(tf.tensor1d([105, 90]), tf.tensor1d([100, 95]), tf.tensor1d([6, 1]), tf.tensor1d([1, 6]));
    expect((await loss.data())[0]).toBe(0);
  });

  it('does not change when a constant is added to every student score', async () => {
    const args = [tf.tensor1d([3, 1]), tf.tensor1d([0, 2]), tf.tensor1d([1, 2]), tf.tensor1d([0, 0])] as const;
    const base = (await marginMseLoss(...args).data())[0];
    const shifted = (await marginMseLoss(args[0].add(50) as tf.Tensor1D, args[1].add(50) as tf.Tensor1D, args[2], args[3]).data())[0];
    expect(shifted).toBeCloseTo(base as number, 4);
  });
});
