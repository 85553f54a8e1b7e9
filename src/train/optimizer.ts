/**
 * AdamW (Loshchilov & Hutter, decoupled weight decay) over a student's named weights, with clipping of the
 * gradients by their global norm. Moments are kept by weight name, so a snapshot restores by name, never by
 * position. With weight decay 0 and no clipping it is Adam.
 *
 * Weight decay applies to matrices and embedding tables only (rank ≥ 2): biases and LayerNorm gains are left
 * alone, as BERT fine-tuning does.
 */
import * as tf from '../model/tf';
import { readCopy, type Kernels } from '../model/kernels';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled decay: each step multiplies a decayed weight by (1 - lr · weightDecay) before the Adam update. */
  weightDecay: number;
  /** Gradients are scaled down together when their global L2 norm exceeds this; 0 turns clipping off. */
  clipNorm: number;
}

export const ADAMW_DEFAULTS: AdamWSettings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, clipNorm: 0 };

export interface MomentData {
  shape: number[];
  data: Float32Array;
}

export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Updates taken so far (the `t` of the bias corrections). */
  iterations = 0;

  /** @param kernels the update's ops: three in-place programs per weight (fused, on WebGPU) or tfjs's ops. */
  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly kernels: Kernels,
    readonly settings: AdamWSettings = ADAMW_DEFAULTS,
  ) {
    // tidy: the zero tensors each variable starts from are released; the variables stay.
    for (const [name, p] of params) {
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** One update of every weight from the gradients of `loss` at learning rate `lr`; returns the loss, kept. */
  minimize(loss: () => tf.Scalar, lr: number): tf.Scalar {
    const { value, grads } = this.gradients(loss);
    this.apply(grads, lr);
    tf.dispose([...grads.values()]);
    return value;
  }

  /**
   * The loss and its gradients with respect to every weight, keyed by the weight's name (a weight `loss` does not
   * reach has none). Nothing is updated: a caller that accumulates gradients over micro-batches sums these and
   * hands the sum to `apply`. The caller owns (and disposes) the tensors returned.
   */
  gradients(loss: () => tf.Scalar): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
    const names = [...this.params.keys()];
    const vars = names.map((n) => this.params.get(n) as tf.Variable);
    const { value, grads } = tf.variableGrads(loss, vars);
    const byName = new Map<string, tf.Tensor>();
    names.forEach((name, k) => {
      const g = grads[(vars[k] as tf.Variable).name];
      if (g) byName.set(name, g);
    });
    return { value, grads: byName };
  }

  /**
   * One update of every weight that has a gradient in `grads` (by weight name), at learning rate `lr`: clipping by
   * the global norm of these gradients, then AdamW. The gradients are read, not disposed.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const names = [...this.params.keys()];
    const vars = names.map((n) => this.params.get(n) as tf.Variable);
    const t = this.iterations + 1;
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.settings;
    tf.tidy(() => {
      const gradOf = (k: number): tf.Tensor | undefined => grads.get(names[k] as string);
      let scale: tf.Tensor | null = null;
      if (clipNorm > 0) {
        const squares = names.map((_, k) => gradOf(k)).filter((g): g is tf.Tensor => g !== undefined).map((g) => g.square().sum());
        // A sum of pairs, not one addN: tfjs-webgpu binds every addN input as a storage buffer of one shader, past
        // what adapters allow (8 to 10 per stage) for a student's dozens of weights.
        const norm = squares.reduce((a, b) => a.add(b)).sqrt();
        // min(1, clip / norm): gradients under the limit pass unchanged.
        scale = tf.minimum(1, tf.div(clipNorm, norm.add(1e-6)));
      }
      // m̂ / (√v̂ + ε) with m̂ = m / (1 - β1ᵗ), v̂ = v / (1 - β2ᵗ), written with the corrections folded into the
      // step size and ε scaled to match: lr·m̂/(√v̂+ε) = stepSize · m / (√v + ε·√(1-β2ᵗ)).
      const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      const scaledEpsilon = epsilon * Math.sqrt(1 - beta2 ** t);
      names.forEach((name, k) => {
        const g = gradOf(k);
        if (!g) return;
        const p = vars[k] as tf.Variable;
        const decay = weightDecay > 0 && p.rank >= 2 ? 1 - lr * weightDecay : 1;
        this.kernels.adamUpdate(p, this.m.get(name) as tf.Variable, this.v.get(name) as tf.Variable, g, scale, { beta1, beta2, stepSize, epsilon: scaledEpsilon, decay });
      });
    });
    this.iterations = t;
  }

  /** The moments of one weight, read back from the device. */
  async moments(name: string): Promise<{ first: MomentData; second: MomentData }> {
    const m = this.m.get(name);
    const v = this.v.get(name);
    if (!m || !v) throw new Error(`the optimizer has no weight ${name}`);
    // GPU→CPU sync: only for checkpoints and project files; through copies, since the fused update writes in place.
    return { first: { shape: m.shape.slice(), data: await readCopy(m) }, second: { shape: v.shape.slice(), data: await readCopy(v) } };
  }

  /** Sets the moments of one weight (shapes checked by the caller) . */
  setMoments(name: string, first: MomentData, second: MomentData): void {
    const m = this.m.get(name);
    const v = this.v.get(name);
    if (!m || !v) throw new Error(`the optimizer has no weight ${name}`);
    tf.tidy(() => {
      m.assign(tf.tensor(first.data, first.shape));
      v.assign(tf.tensor(second.data, second.shape));
    });
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
    this.m.clear();
    this.v.clear();
  }
}
