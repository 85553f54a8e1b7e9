/**
 * BERT_DOT-style student: one shared encoder for queries and passages, mean pooling, and the dot product of the
 * two vectors as the score. Passages can be encoded once and indexed, which is why this student is fast to serve;
 * its scores are unbounded dot products, at a magnitude of their own.
 */
import * as tf from '../tf';
import { ParamSet } from '../layers/params';
import { defineEncoder, encode, maskedMeanPool, type EncoderDims, type TokenBatch } from '../layers/transformer';
import { Rng } from '../../util/random';
import type { RunConfig } from '../../train/config';

export type DotStudentConfig = Pick<RunConfig, 'queryLength' | 'passageLength' | 'hidden' | 'heads' | 'ffn' | 'layers'> & { vocabSize: number };

export class DotStudent {
  readonly params: ParamSet;
  private readonly dims: EncoderDims;

  constructor(
    readonly config: DotStudentConfig,
    seed: number,
  ) {
    this.params = new ParamSet(new Rng(seed));
    this.dims = {
      vocabSize: config.vocabSize,
      maxLength: Math.max(config.queryLength, config.passageLength),
      hidden: config.hidden,
      heads: config.heads,
      ffn: config.ffn,
      layers: config.layers,
    };
    defineEncoder(this.params, 'encoder', this.dims);
  }

  /** [n, length] tokens -> [n, hidden] vectors. */
  embed(tokens: TokenBatch): tf.Tensor2D {
    return maskedMeanPool(encode(this.params, 'encoder', this.dims, tokens), tokens.mask);
  }

  /** Scores each query against its positive and its negative passage; the query is encoded once. */
  scoreTriples(query: TokenBatch, pos: TokenBatch, neg: TokenBatch): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
    const q = this.embed(query);
    const b = query.ids.shape[0];
    const passages = this.embed({ ids: tf.concat([pos.ids, neg.ids], 0), mask: tf.concat([pos.mask, neg.mask], 0) });
    const [p, n] = tf.split(passages, [b, b], 0) as [tf.Tensor2D, tf.Tensor2D];
    return { pos: q.mul(p).sum(1) as tf.Tensor1D, neg: q.mul(n).sum(1) as tf.Tensor1D };
  }

  /** Scores query i against passage i, for re-ranking. */
  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    return this.embed(query).mul(this.embed(passage)).sum(1) as tf.Tensor1D;
  }

  parameterCount(): number {
    return this.params.count();
  }

  dispose(): void {
    this.params.dispose();
  }
}
