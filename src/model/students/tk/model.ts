/**
 * TK (Transformer-Kernel): query and passage tokens are contextualised apart by a small transformer and mixed
 * with their plain embeddings by a learned weight; their cosine match matrix goes through 11 Gaussian kernels
 * (mu 1.0, 0.9, 0.7, ..., -0.9, sigma 0.1); per query token the kernel responses over the passage are summed and
 * log-scaled, summed over the query, and a linear layer turns the 11 features into the score. The mu = 1.0 kernel
 * counts exact matches: identical token vectors have cosine 1.
 */
import * as tf from '../../tf';
import { defineEncoder, embedTokens, finalNorm, runLayers, type TokenBatch } from '../../layers/transformer';
import type { Kernels } from '../../kernels';
import { encoderDims, SeparateEncodingStudent, type StudentConfig, type StudentModel } from '../student';
import { EMBEDDING_NAMES } from '../../../export/hf-layout';
import { KERNEL_MU, KERNEL_SIGMA, tk } from './descriptor';

export { KERNEL_MU, KERNEL_SIGMA };

const dims = (config: StudentConfig) => encoderDims(tk, config);

/**
 * Log-summed kernel features: q [n, lq, d], p [n, lp, d] (any scale; cosines are taken here) -> [n, 11].
 * Padding passage tokens add nothing to a kernel; padding query tokens add nothing to the sum.
 */
export function kernelFeatures(k: Kernels, q: tf.Tensor3D, qMask: tf.Tensor2D, p: tf.Tensor3D, pMask: tf.Tensor2D): tf.Tensor2D {
  const unit = (x: tf.Tensor3D) => x.div(x.square().sum(2, true).add(1e-12).sqrt());
  const cosine = k.batchMatMul(unit(q), unit(p), false, true).expandDims(3); // [n, lq, lp, 1]
  const mu = tf.tensor1d(KERNEL_MU as number[]).reshape([1, 1, 1, KERNEL_MU.length]);
  const responses = tf.exp(cosine.sub(mu).square().div(-2 * KERNEL_SIGMA * KERNEL_SIGMA)); // [n, lq, lp, K]
  const perQueryToken = responses.mul(pMask.expandDims(1).expandDims(3)).sum(2); // [n, lq, K]
  // TK's log scaling: a query token matching nothing gives log(1e-10) * 0.01, not minus infinity.
  const logged = tf.log(perQueryToken.maximum(1e-10)).mul(0.01);
  return logged.mul(qMask.expandDims(2)).sum(1) as tf.Tensor2D;
}

export class TkStudent extends SeparateEncodingStudent<tf.Tensor3D> {
  readonly arch = tk.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', dims(config));
    // The mixing weight of plain and contextualised vectors, through a sigmoid: 0 starts it at one half.
    this.params.constant('tk/mix', [1], 0);
    this.params.normal('tk/kernel_w', [KERNEL_MU.length, 1], 0.1);
  }

  /** Contextualised token vectors [n, length, hidden], mixed with the plain embeddings. */
  contextualise(tokens: TokenBatch): tf.Tensor3D {
    const d = dims(this.config);
    const plain = embedTokens(this.kernels, this.params, 'encoder', d, tokens.ids, 0, tokens.host);
    const context = finalNorm(this.kernels, this.params, 'encoder', runLayers(this.kernels, this.params, 'encoder', d, plain, tokens.mask, 0, d.layers));
    const mix = tf.sigmoid(this.params.get('tk/mix'));
    return plain.mul(mix).add(context.mul(tf.sub(1, mix))) as tf.Tensor3D;
  }

  encodeSide(tokens: TokenBatch): tf.Tensor3D {
    return this.contextualise(tokens);
  }

  interact(q: tf.Tensor3D, qMask: tf.Tensor2D, p: tf.Tensor3D, pMask: tf.Tensor2D): tf.Tensor1D {
    return kernelFeatures(this.kernels, q, qMask, p, pMask).matMul(this.params.get('tk/kernel_w')).reshape([-1]) as tf.Tensor1D;
  }
}

/**
 * On a checkpoint, tk is the paper's small transformer with only its word embeddings taken from the checkpoint (the
 * configured hidden size is the checkpoint's: its descriptor takes only that size from it).
 */
export const tkModel: StudentModel = {
  scratch: (config, seed, kernels) => new TkStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start) => {
    const student = new TkStudent({ ...config, hidden: start.dims.hidden, vocabSize: start.dims.vocabSize }, seed, kernels);
    const words = start.weights.get(`${EMBEDDING_NAMES.word}.weight`);
    if (!words) throw new Error('the checkpoint has no word embeddings');
    tf.tidy(() => student.params.get('encoder/tok_emb').assign(tf.tensor(words.data, words.shape)));
    return student;
  },
};
