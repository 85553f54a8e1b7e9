/**
 * BERT_DOT: one shared encoder for queries and passages, pooled to one vector each (mean over the real tokens,
 * or the vector of a leading [CLS]), and the dot product of the two as the score. Passages can be encoded once and
 * indexed, which is why this student is fast to serve; its scores are unbounded dot products, at a magnitude of
 * their own.
 */
import * as tf from '../../tf';
import { defineEncoder, encode, type TokenBatch } from '../../layers/transformer';
import { DENSE_BIAS, DENSE_WEIGHT, sentenceVectors } from '../../layers/bert';
import type { HfPooling } from '../../../export/hf-layout';
import type { Kernels } from '../../kernels';
import { concatBatches, encoderDims, firstToken, joinSequence, SeparateEncodingStudent, type PretrainedStart, type StudentConfig, type StudentModel } from '../student';
import { PretrainedStudent } from '../pretrained';
import { dot } from './descriptor';

const dims = (config: StudentConfig) => encoderDims(dot, config);

export class DotStudent extends SeparateEncodingStudent<tf.Tensor2D> {
  readonly arch = dot.name;

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

/** Dot: `[CLS]` or mean pooling (sentence-transformers' choice unless configured), an optional Dense, dot product. */
export class PretrainedDotStudent extends PretrainedStudent {
  readonly arch = dot.name;
  private readonly head: { pooling: HfPooling; normalize: boolean };

  constructor(config: StudentConfig, seed: number, kernels: Kernels, start: PretrainedStart, denseDim = 0) {
    super(config, seed, kernels, start, false);
    this.head = { pooling: config.pooling, normalize: start.normalize };
    // A projection of its own only when the checkpoint brings none: sentence-transformers' Dense, [out, in].
    if (denseDim > 0 && !start.dense) {
      this.fresh(DENSE_WEIGHT, [denseDim, start.dims.hidden]);
      this.fresh(DENSE_BIAS, [denseDim], 'zero');
    }
  }

  get vectorSize(): number {
    return this.params.vars.has(DENSE_WEIGHT) ? (this.params.get(DENSE_WEIGHT).shape[0] as number) : this.spec.dims.hidden;
  }

  get pooling(): HfPooling {
    return this.head.pooling;
  }

  embed(tokens: TokenBatch): tf.Tensor2D {
    const { states, mask } = this.encodeSingle(tokens, this.lengthOf(tokens));
    return sentenceVectors(this.kernels, this.params, states, mask, this.head);
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    return this.embed(query).mul(this.embed(passage)).sum(1) as tf.Tensor1D;
  }

  override scoreTriples(query: TokenBatch, pos: TokenBatch, neg: TokenBatch): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
    const b = query.ids.shape[0];
    const q = this.embed(query);
    const [p, n] = tf.split(this.embed(concatBatches(pos, neg)), [b, b], 0) as [tf.Tensor2D, tf.Tensor2D];
    return { pos: q.mul(p).sum(1) as tf.Tensor1D, neg: q.mul(n).sum(1) as tf.Tensor1D };
  }
}

export const dotModel: StudentModel = {
  scratch: (config, seed, kernels) => new DotStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start, denseDim) => new PretrainedDotStudent(config, seed, kernels, start, denseDim),
};
