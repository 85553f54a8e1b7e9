/**
 * BERT_DOT: one shared encoder for queries and passages, pooled to one vector each (mean over the real tokens,
 * or the vector of a leading [CLS]), and the dot product of the two as the score. Passages can be encoded once and
 * indexed, which is why this student is fast to serve; its scores are unbounded dot products, at a magnitude of
 * their own.
 */
import * as tf from '../tf';
import { defineEncoder, encode, type TokenBatch } from '../layers/transformer';
import type { Kernels } from '../kernels';
import { encoderDims, firstToken, joinSequence, SeparateEncodingStudent, type StudentConfig } from './student';

const dims = (config: StudentConfig) => encoderDims('dot', config);

export class DotStudent extends SeparateEncodingStudent<tf.Tensor2D> {
  readonly arch = 'dot';

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', dims(config));
  }

  get vectorSize(): number {
    return this.config.hidden;
  }

  /** [n, length] tokens -> [n, hidden] vectors. */
  embed(tokens: TokenBatch): tf.Tensor2D {
    if (this.config.pooling === 'cls') {
      const seq = joinSequence(tokens.ids.shape[0], [{ special: this.config.cls }, tokens]);
      return firstToken(encode(this.kernels, this.params, 'encoder', dims(this.config), seq));
    }
    return this.kernels.maskedMeanPool(encode(this.kernels, this.params, 'encoder', dims(this.config), tokens), tokens.mask);
  }

  encodeSide(tokens: TokenBatch): tf.Tensor2D {
    return this.embed(tokens);
  }

  interact(q: tf.Tensor2D, _qMask: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor1D {
    return q.mul(p).sum(1) as tf.Tensor1D;
  }
}
