import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { lossFunction, marginMseLoss, mseLoss, rankNetLoss, type LossName } from './losses';

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

/** Plain-TypeScript references for the other losses: value and gradients with respect to the student scores. */
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function referenceFor(name: LossName, sPos: number[], sNeg: number[], tPos: number[], tNeg: number[]) {
  const n = sPos.length;
  const dPos = new Array<number>(n).fill(0);
  const dNeg = new Array<number>(n).fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const [sp, sn, tp, tn] = [sPos[i], sNeg[i], tPos[i], tNeg[i]] as [number, number, number, number];
    const s = sp - sn;
    const t = tp - tn;
    if (name === 'mse') {
      // mean over the 2n scores of (s - t)^2
      loss += ((sp - tp) ** 2 + (sn - tn) ** 2) / (2 * n);
      dPos[i] = (2 * (sp - tp)) / (2 * n);
      dNeg[i] = (2 * (sn - tn)) / (2 * n);
    } else if (name === 'ranknet') {
      // softplus(-s); d/ds = -sigmoid(-s)
      loss += softplus(-s) / n;
      dPos[i] = -sigmoid(-s) / n;
      dNeg[i] = sigmoid(-s) / n;
    } else if (name === 'weighted-ranknet') {
      // |t| · softplus(-sign(t) · s); d/ds = -|t| · sign(t) · sigmoid(-sign(t) · s)
      const y = Math.sign(t);
      loss += (Math.abs(t) * softplus(-y * s)) / n;
      dPos[i] = (-Math.abs(t) * y * sigmoid(-y * s)) / n;
      dNeg[i] = -(dPos[i] as number);
    }
  }
  return { loss, dPos, dNeg };
}

describe('the other losses', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases = [
    { sPos: [101.5, 97.25, 99], sNeg: [96, 98.5, 90.125], tPos: [7.5, 3.25, 9], tNeg: [2, 4.75, 1.5] },
    // The teacher prefers the "negative" in the second triple, and ties in the third.
    { sPos: [0.5, -2, 3], sNeg: [0.25, 1, 3], tPos: [1, -1, 2], tNeg: [-2, 2, 2] },
    { sPos: [40], sNeg: [-40], tPos: [0.5], tNeg: [0.25] },
  ];
  for (const name of ['mse', 'weighted-ranknet', 'ranknet'] as const) {
    it.each(cases)(`${name}: value and gradients match the reference (%#)`, async ({ sPos, sNeg, tPos, tNeg }) => {
      const ref = referenceFor(name, sPos, sNeg, tPos, tNeg);
      const fn = lossFunction(name);
      const [tp, tn] = [tf.tensor1d(tPos), tf.tensor1d(tNeg)];
      const value = (await fn(tf.tensor1d(sPos), tf.tensor1d(sNeg), tp, tn).data())[0] as number;
      // float32 on the device: compare relative to the value's size.
      expect(Math.abs(value - ref.loss) / Math.max(1, Math.abs(ref.loss))).toBeLessThan(1e-6);
      const [gPos, gNeg] = tf.grads((a: tf.Tensor, b: tf.Tensor) => fn(a as tf.Tensor1D, b as tf.Tensor1D, tp, tn))([tf.tensor1d(sPos), tf.tensor1d(sNeg)]);
      Array.from(await gPos!.data()).forEach((g, i) => expect(g).toBeCloseTo(ref.dPos[i] as number, 4));
      Array.from(await gNeg!.data()).forEach((g, i) => expect(g).toBeCloseTo(ref.dNeg[i] as number, 4));
    });
  }

  it('RankNet ignores the teacher; MSE does not forgive a shift in magnitude, Margin-MSE does', async () => {
    const s = [tf.tensor1d([3, 1]), tf.tensor1d([0, 2])] as const;
    const a = (await rankNetLoss(s[0], s[1]).data())[0];
    const b = (await lossFunction('ranknet')(s[0], s[1], tf.tensor1d([100, 100]), tf.tensor1d([-100, -100])).data())[0];
    expect(a).toBe(b);
    const teacher = [tf.tensor1d([3, 1]), tf.tensor1d([0, 2])] as const;
    const shifted = [s[0].add(50) as tf.Tensor1D, s[1].add(50) as tf.Tensor1D] as const;
    expect((await mseLoss(shifted[0], shifted[1], ...teacher).data())[0]).toBeCloseTo(2500, 2);
    expect((await marginMseLoss(shifted[0], shifted[1], ...teacher).data())[0]).toBeCloseTo(0, 4);
  });
});
