import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { accumulateGradients } from './accumulate';
import { marginMseLoss, weightedRankNetLoss } from './losses';
import { AdamW } from './optimizer';
import { FUSED_KERNELS } from '../model/kernels';

/**
 * A linear scorer s(x) = w·x + b over 6 triples with 3 features. For Margin-MSE the bias cancels in the margin:
 *   L = (1/B) Σ_i (w·(p_i − n_i) − t_i)²,  ∂L/∂w = (2/B) Σ_i (w·(p_i − n_i) − t_i) (p_i − n_i),  ∂L/∂b = 0,
 * with t_i the teacher's margin. Written here on plain arrays, for the whole batch of B = 6.
 */
const W = [0.5, -1, 0.25];
const B0 = 0.3;
const POS = [[1, 0, 2], [0, 1, 1], [3, -1, 0], [1, 1, 1], [-2, 0, 1], [0.5, 2, -1]];
const NEG = [[0, 1, 1], [1, 1, 0], [0, 0, 1], [2, -1, 1], [1, 1, 1], [0, 0, 0]];
const TEACHER_POS = [3, 1, 4, 0.5, -1, 2];
const TEACHER_NEG = [1, 2, 0, 0.5, 1, -2];

function referenceMarginMseGradient(): number[] {
  const g = [0, 0, 0];
  POS.forEach((p, i) => {
    const d = p.map((x, k) => x - (NEG[i] as number[])[k]!);
    const margin = d.reduce((a, x, k) => a + x * W[k]!, 0);
    const err = margin - (TEACHER_POS[i]! - TEACHER_NEG[i]!);
    d.forEach((x, k) => (g[k]! += (2 / POS.length) * err * x));
  });
  return g;
}

describe('accumulateGradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const setup = () => {
    const params = new Map<string, tf.Variable>([
      ['w', tf.variable(tf.tensor1d(W))],
      ['b', tf.variable(tf.scalar(B0))],
    ]);
    return { params, opt: new AdamW(params, FUSED_KERNELS) };
  };
  /** The loss of triples [from, from + n) as a mean over them, the scores from the variables. */
  const lossOver = (params: Map<string, tf.Variable>, from: number, n: number, loss = marginMseLoss) => {
    const rows = (xs: number[][]) => tf.tensor2d(xs.slice(from, from + n));
    const w = (params.get('w') as tf.Variable).reshape([3, 1]);
    const b = params.get('b') as tf.Variable;
    const score = (xs: number[][]) => rows(xs).matMul(w).reshape([n]).add(b) as tf.Tensor1D;
    return loss(score(POS), score(NEG), tf.tensor1d(TEACHER_POS.slice(from, from + n)), tf.tensor1d(TEACHER_NEG.slice(from, from + n)));
  };

  it('sums micro-batch gradients, each loss scaled by its share, into the whole batch gradient of the reference', async () => {
    const { params, opt } = setup();
    const before = tf.memory().numTensors;
    // Unequal micro-batches (3 + 1 + 2), so a scaling by 1/parts instead of size/total would show.
    const sizes = [3, 1, 2];
    const starts = [0, 3, 4];
    const { loss, grads } = accumulateGradients(opt, sizes, (part) => lossOver(params, starts[part]!, sizes[part]!));
    const got = Array.from(await (grads.get('w') as tf.Tensor).data());
    referenceMarginMseGradient().forEach((g, k) => expect(got[k]).toBeCloseTo(g, 5));
    // The bias cancels in every margin: its gradient is 0.
    expect((await (grads.get('b') as tf.Tensor).data())[0]).toBeCloseTo(0, 6);
    // The loss is the whole batch's mean: (1/6) Σ err².
    const whole = POS.reduce((a, p, i) => {
      const margin = p.reduce((s, x, k) => s + (x - NEG[i]![k]!) * W[k]!, 0);
      return a + (margin - (TEACHER_POS[i]! - TEACHER_NEG[i]!)) ** 2;
    }, 0) / 6;
    expect((await loss.data())[0]).toBeCloseTo(whole, 5);
    // Only the loss and one gradient per weight are left.
    tf.dispose([loss, ...grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it('gives the gradients of the whole batch at once for another loss, weighted RankNet', async () => {
    const { params, opt } = setup();
    const whole = opt.gradients(() => lossOver(params, 0, 6, weightedRankNetLoss));
    const parts = accumulateGradients(opt, [2, 2, 2], (part) => lossOver(params, 2 * part, 2, weightedRankNetLoss));
    const a = Array.from(await (whole.grads.get('w') as tf.Tensor).data());
    const b = Array.from(await (parts.grads.get('w') as tf.Tensor).data());
    expect(a.some((x) => Math.abs(x) > 0.01)).toBe(true);
    b.forEach((x, k) => expect(x).toBeCloseTo(a[k]!, 6));
    expect((await parts.loss.data())[0]).toBeCloseTo((await whole.value.data())[0]!, 6);
    tf.dispose([whole.value, parts.loss, ...whole.grads.values(), ...parts.grads.values()]);
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it('refuses sizes that are not positive integers, and leaves no tensor when a micro-batch fails', () => {
    const { params, opt } = setup();
    expect(() => accumulateGradients(opt, [], () => tf.scalar(0))).toThrow('micro-batch sizes must be positive integers, got []');
    expect(() => accumulateGradients(opt, [2, 0], () => tf.scalar(0))).toThrow('micro-batch sizes must be positive integers, got [2, 0]');
    const before = tf.memory().numTensors;
    expect(() =>
      accumulateGradients(opt, [3, 3], (part) => {
        if (part === 1) throw new Error('out of memory');
        return lossOver(params, 0, 3);
      }),
    ).toThrow('out of memory');
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([...params.values()]);
  });
});
