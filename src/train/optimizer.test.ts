import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { AdamW, ADAMW_DEFAULTS, type AdamWSettings } from './optimizer';
import { learningRateAt, scheduleCurve } from './schedule';
import { FUSED_KERNELS } from '../model/kernels';

/**
 * AdamW written from its definition on plain arrays (PyTorch's torch.optim.AdamW, decoupled decay), for the
 * loss L = Σ c_i (w_i − t_i)², whose gradient is 2 c_i (w_i − t_i). Weight decay only for `decays` tensors.
 */
function referenceAdamW(
  weights: { w: number[]; decays: boolean }[],
  targets: number[][],
  c: number,
  lrs: number[],
  s: AdamWSettings,
): number[][] {
  const w = weights.map((x) => x.w.slice());
  const m = w.map((x) => x.map(() => 0));
  const v = w.map((x) => x.map(() => 0));
  lrs.forEach((lr, step) => {
    const t = step + 1;
    let g = w.map((x, i) => x.map((wi, j) => 2 * c * (wi - (targets[i] as number[])[j]!)));
    if (s.clipNorm > 0) {
      const norm = Math.sqrt(g.flat().reduce((a, b) => a + b * b, 0));
      const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
      g = g.map((x) => x.map((gi) => gi * scale));
    }
    w.forEach((x, i) => {
      if (weights[i]!.decays) x.forEach((wi, j) => (x[j] = wi * (1 - lr * s.weightDecay)));
      x.forEach((wi, j) => {
        const gi = g[i]![j]!;
        m[i]![j] = s.beta1 * m[i]![j]! + (1 - s.beta1) * gi;
        v[i]![j] = s.beta2 * v[i]![j]! + (1 - s.beta2) * gi * gi;
        const mHat = m[i]![j]! / (1 - s.beta1 ** t);
        const vHat = v[i]![j]! / (1 - s.beta2 ** t);
        x[j] = wi - (lr * mHat) / (Math.sqrt(vHat) + s.epsilon);
      });
    });
  });
  return w;
}

describe('AdamW', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const start = { matrix: [0.5, -1.5, 2, 0.25], bias: [1, -2] };
  const targets = [[0, 1, -1, 0.5], [3, 3]];

  async function run(settings: AdamWSettings, lrs: number[]) {
    const tensorsBefore = tf.memory().numTensors;
    const params = new Map<string, tf.Variable>([
      ['layer/w', tf.tidy(() => tf.variable(tf.tensor2d(start.matrix, [2, 2]), true))],
      ['layer/b', tf.tidy(() => tf.variable(tf.tensor1d(start.bias), true))],
    ]);
    const opt = new AdamW(params, FUSED_KERNELS, settings);
    const c = 0.7;
    for (const lr of lrs) {
      const loss = opt.minimize(() => {
        const a = (params.get('layer/w') as tf.Variable).sub(tf.tensor2d(targets[0] as number[], [2, 2])).square().sum();
        const b = (params.get('layer/b') as tf.Variable).sub(tf.tensor1d(targets[1] as number[])).square().sum();
        return a.add(b).mul(c) as tf.Scalar;
      }, lr);
      loss.dispose();
    }
    const out = [Array.from(await params.get('layer/w')!.data()), Array.from(await params.get('layer/b')!.data())];
    expect(opt.iterations).toBe(lrs.length);
    const moments = await opt.moments('layer/b');
    opt.dispose();
    tf.dispose([...params.values()]);
    // Every moment, gradient and intermediate is released with the optimizer.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    return { out, moments, expected: referenceAdamW([{ w: start.matrix, decays: true }, { w: start.bias, decays: false }], targets, c, lrs, settings) };
  }

  it('equals Adam from its definition without decay or clipping', async () => {
    const { out, expected } = await run(ADAMW_DEFAULTS, [0.1, 0.1, 0.05, 0.2]);
    out.forEach((x, i) => x.forEach((wi, j) => expect(wi).toBeCloseTo(expected[i]![j]!, 5)));
    // It moved: the reference is not the starting point.
    expect(expected[0]![0]).not.toBeCloseTo(start.matrix[0]!, 2);
  });

  it('decays matrices but not biases, decoupled from the gradient', async () => {
    const settings = { ...ADAMW_DEFAULTS, weightDecay: 0.3 };
    const { out, expected } = await run(settings, [0.1, 0.2, 0.3]);
    out.forEach((x, i) => x.forEach((wi, j) => expect(wi).toBeCloseTo(expected[i]![j]!, 5)));
    const plain = referenceAdamW([{ w: start.matrix, decays: false }, { w: start.bias, decays: false }], targets, 0.7, [0.1, 0.2, 0.3], settings);
    expect(out[0]![1]).not.toBeCloseTo(plain[0]![1]!, 3);
    expect(out[1]![0]).toBeCloseTo(plain[1]![0]!, 5);
  });

  it('clips the gradients by their global norm', async () => {
    const settings = { ...ADAMW_DEFAULTS, clipNorm: 0.5 };
    const { out, expected, moments } = await run(settings, [0.1, 0.1]);
    out.forEach((x, i) => x.forEach((wi, j) => expect(wi).toBeCloseTo(expected[i]![j]!, 5)));
    // After two steps the first moment is at most 0.19 of a clipped gradient (norm 0.5); unclipped ones are ~5.
    expect(Math.max(...Array.from(moments.first.data, Math.abs))).toBeLessThan(0.1);
  });
});

describe('learning-rate schedule', () => {
  const c = { learningRate: 1e-3, warmupSteps: 10, schedule: 'linear' as const, steps: 110 };

  it('warms up linearly from 0, then decays linearly to 0 at the last step', () => {
    expect(learningRateAt(c, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(c, 5)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(c, 10)).toBeCloseTo(1e-3, 12);
    // 100 decay steps: at step 60, (110 - 60) / 100 of the peak.
    expect(learningRateAt(c, 60)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(c, 110)).toBe(0);
  });

  it('stays at the peak after warm-up when constant, and is the plain rate without warm-up', () => {
    expect(learningRateAt({ ...c, schedule: 'constant' }, 100)).toBe(1e-3);
    expect(learningRateAt({ ...c, warmupSteps: 0, schedule: 'constant' }, 1)).toBe(1e-3);
  });

  it('samples a curve with the first, the warm-up peak and the last step', () => {
    const curve = scheduleCurve(c, 7);
    expect(curve[0]).toEqual({ step: 1, lr: learningRateAt(c, 1) });
    expect(curve.some((p) => p.step === 10 && p.lr === 1e-3)).toBe(true);
    expect(curve.at(-1)).toEqual({ step: 110, lr: 0 });
    expect(curve.map((p) => p.step)).toEqual([...curve.map((p) => p.step)].sort((a, b) => a - b));
  });
});
