/**
 * Every fused kernel against the stock tfjs ops it replaces, on seeded random inputs: the values and the gradients
 * of a weighted sum of the output (so that every output element gets its own upstream gradient), and AdamW steps.
 * The error reported per tensor is max |fused − stock| / max |stock|.
 */
import * as tf from '../model/tf';
import { maxRelativeError } from './errors';
import { fusedDispatches, kernelsFor, type KernelChoice, type Kernels } from '../model/kernels';
import { AdamW } from '../train/optimizer';
import { Rng } from '../util/random';

export interface KernelCheck {
  name: string;
  /** One error per compared tensor: the output, then each gradient (or weight, for AdamW). */
  errors: { tensor: string; error: number }[];
  worst: number;
  /** Fused programs run by the fused evaluation: 0 would mean the comparison compared the stock ops with themselves. */
  fusedPrograms: number;
}

export function randomTensor(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * scale), shape);
}

/** An op under test, run with the kernel set it is given. */
export type KernelOp = (k: Kernels, ...xs: tf.Tensor[]) => tf.Tensor;

/** Output and input gradients of `f` under one kernel choice. */
function evaluate(choice: KernelChoice, f: KernelOp, inputs: tf.Tensor[], weights: tf.Tensor): tf.Tensor[] {
  const k = kernelsFor(choice);
  return tf.tidy(() => {
    const value = f(k, ...inputs);
    const grads = tf.grads((...xs: tf.Tensor[]) => f(k, ...xs).mul(weights).sum())(inputs);
    return [value, ...grads];
  });
}

export async function compareOp(name: string, f: KernelOp, inputs: tf.Tensor[], labels: string[], rng: Rng): Promise<KernelCheck> {
  const shape = tf.tidy(() => f(kernelsFor('stock'), ...inputs).shape);
  const weights = randomTensor(rng, shape);
  const stock = evaluate('stock', f, inputs, weights);
  const before = fusedDispatches();
  const fused = evaluate('fused', f, inputs, weights);
  const fusedPrograms = fusedDispatches() - before;
  const errors: { tensor: string; error: number }[] = [];
  for (let i = 0; i < stock.length; i++) errors.push({ tensor: i === 0 ? 'output' : `d ${labels[i - 1] ?? `input ${i}`}`, error: await maxRelativeError(fused[i] as tf.Tensor, stock[i] as tf.Tensor) });
  tf.dispose([...stock, ...fused, weights, ...inputs]);
  return { name, errors, worst: Math.max(...errors.map((e) => e.error)), fusedPrograms };
}

/**
 * AdamW from the same start under both choices, with clipping and weight decay on: a weight [inputs, outputs] and a
 * bias fitted over `steps` steps to random targets from `rows` random inputs (`linear`), or pulled elementwise
 * towards random targets of their own shapes (`elementwise`). The elementwise fit is for large weights: each
 * gradient element there is computed alone, where a linear fit's sums over many inputs would leave elements near 0
 * whose Adam update (m / (√v + ε), ε = 1e-8) turns on rounding in the sums, not on the update under test.
 */
export async function compareAdam(rng: Rng, { rows = 9, inputs = 13, outputs = 7, steps = 4, fit = 'linear' as 'linear' | 'elementwise' } = {}): Promise<KernelCheck> {
  const shapes: [string, number[]][] = [
    ['w', [inputs, outputs]],
    ['b', [outputs]],
  ];
  const start = shapes.map(([, shape]) => randomTensor(rng, shape, 0.5));
  const target = fit === 'linear' ? randomTensor(rng, [rows, outputs]) : randomTensor(rng, [inputs, outputs]);
  const input = fit === 'linear' ? randomTensor(rng, [rows, inputs]) : randomTensor(rng, [outputs]);
  const lossOf = (w: tf.Tensor, b: tf.Tensor): tf.Scalar =>
    fit === 'linear' ? (input.matMul(w).add(b).sub(target).square().mean() as tf.Scalar) : (w.sub(target).square().mean().add(b.sub(input).square().mean()) as tf.Scalar);
  const finalWeights = (choice: KernelChoice) => {
    // A copy of each start value (mul, not clone: a clone would share the buffer the fused update writes in place).
    const vars = new Map(shapes.map(([name], i) => [name, tf.tidy(() => tf.variable((start[i] as tf.Tensor).mul(1)))]));
    const opt = new AdamW(vars, kernelsFor(choice), { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, clipNorm: 0.5 });
    for (let s = 1; s <= steps; s++) {
      const loss = opt.minimize(() => tf.tidy(() => lossOf(vars.get('w') as tf.Variable, vars.get('b') as tf.Variable)), 0.01 * s);
      loss.dispose();
    }
    opt.dispose();
    return vars;
  };
  const stock = finalWeights('stock');
  const before = fusedDispatches();
  const fused = finalWeights('fused');
  const fusedPrograms = fusedDispatches() - before;
  const errors: { tensor: string; error: number }[] = [];
  for (const [name] of shapes) {
    const a = fused.get(name) as tf.Variable;
    const b = stock.get(name) as tf.Variable;
    // What moved, compared: the update, not the (much larger) weight it was added to.
    const startValue = start[shapes.findIndex(([n]) => n === name)] as tf.Tensor;
    const [da, db] = tf.tidy(() => [a.sub(startValue), b.sub(startValue)]);
    errors.push({ tensor: `${name} after ${steps} steps (change from the start)`, error: await maxRelativeError(da as tf.Tensor, db as tf.Tensor) });
    tf.dispose([da as tf.Tensor, db as tf.Tensor]);
  }
  tf.dispose([...stock.values(), ...fused.values(), ...start, target, input]);
  return { name: `AdamW on [${inputs}, ${outputs}], ${fit} fit (clip 0.5, decay 0.01)`, errors, worst: Math.max(...errors.map((e) => e.error)), fusedPrograms };
}

export async function checkKernels(seed = 7): Promise<{ backend: string; checks: KernelCheck[] }> {
  const rng = new Rng(seed);
  const checks: KernelCheck[] = [];
  checks.push(await compareOp('layerNorm [37, 24]', (k, x, g, b) => k.layerNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, 1e-5), [randomTensor(rng, [37, 24], 2), randomTensor(rng, [24]), randomTensor(rng, [24])], ['x', 'gamma', 'beta'], rng));
  checks.push(await compareOp('layerNorm [3, 70, 20] (2 block sums)', (k, x, g, b) => k.layerNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, 1e-12), [randomTensor(rng, [3, 70, 20]), randomTensor(rng, [20]), randomTensor(rng, [20])], ['x', 'gamma', 'beta'], rng));
  const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0]], [3, 7]);
  checks.push(await compareOp('attentionProbs [3, 2, 5, 7], one row all padding', (k, l) => k.attentionProbs(l as tf.Tensor4D, mask, 0.35), [randomTensor(rng, [3, 2, 5, 7], 3)], ['logits'], rng));
  checks.push(await compareOp('maskedMeanPool [3, 7, 10], one row all padding', (k, x) => k.maskedMeanPool(x as tf.Tensor3D, mask), [randomTensor(rng, [3, 7, 10])], ['states'], rng));
  mask.dispose();
  checks.push(await compareOp('gelu [257]', (k, x) => k.gelu(x as tf.Tensor), [randomTensor(rng, [257], 3)], ['x'], rng));
  const ids = Int32Array.from({ length: 4 * 9 }, (_, i) => (i % 9 > 6 ? 0 : 1 + Math.floor(rng.next() * 20)));
  const idTensor = tf.tensor2d(ids, [4, 9], 'int32');
  checks.push(await compareOp('embeddingLookup [50, 8] by [4, 9] ids (repeats, padding)', (k, t) => k.embeddingLookup(t as tf.Tensor2D, idTensor, ids), [randomTensor(rng, [50, 8])], ['table'], rng));
  idTensor.dispose();
  checks.push(await compareOp('linear [33, 17]·[17, 10] + b', (k, x, w, b) => k.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [randomTensor(rng, [33, 17]), randomTensor(rng, [17, 10]), randomTensor(rng, [10])], ['x', 'W', 'b'], rng));
  checks.push(await compareOp('linear [130, 9]·[11, 9]ᵀ + b (Hugging Face layout)', (k, x, w, b) => k.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, true), [randomTensor(rng, [130, 9]), randomTensor(rng, [11, 9]), randomTensor(rng, [11])], ['x', 'W', 'b'], rng));
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    const a = randomTensor(rng, ta ? [2, 3, 6, 5] : [2, 3, 5, 6]);
    const b = randomTensor(rng, tb ? [2, 3, 7, 6] : [2, 3, 6, 7]);
    checks.push(await compareOp(`batchMatMul [2, 3, …] transposeA=${ta} transposeB=${tb}`, (k, x, y) => k.batchMatMul(x as tf.Tensor, y as tf.Tensor, ta, tb), [a, b], ['a', 'b'], rng));
  }
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
  ] as const) {
    // Multiples of 4: the vec4 programs.
    const a = randomTensor(rng, ta ? [3, 12, 8] : [3, 8, 12]);
    const b = randomTensor(rng, tb ? [3, 16, 12] : [3, 12, 16]);
    checks.push(await compareOp(`batchMatMul [3, 8, 12]·[3, 12, 16] (vec4) transposeA=${ta} transposeB=${tb}`, (k, x, y) => k.batchMatMul(x as tf.Tensor, y as tf.Tensor, ta, tb), [a, b], ['a', 'b'], rng));
  }
  checks.push(await compareOp('linear [36, 16]·[16, 8] + b (vec4)', (k, x, w, b) => k.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [randomTensor(rng, [36, 16]), randomTensor(rng, [16, 8]), randomTensor(rng, [8])], ['x', 'W', 'b'], rng));
  checks.push(await compareOp('addBroadcast [5, 6, 4] + [6, 4]', (k, x, y) => k.addBroadcast(x as tf.Tensor, y as tf.Tensor), [randomTensor(rng, [5, 6, 4]), randomTensor(rng, [6, 4])], ['x', 'y'], rng));
  checks.push(await compareOp('addBroadcast [70, 3] + [1, 3] (2 block sums)', (k, x, y) => k.addBroadcast(x as tf.Tensor, y as tf.Tensor), [randomTensor(rng, [70, 3]), randomTensor(rng, [1, 3])], ['x', 'y'], rng));
  checks.push(await compareAdam(rng));
  return { backend: tf.getBackend(), checks };
}
