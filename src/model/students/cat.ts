/**
 * BERT_CAT: the concatenated cross-encoder. Query and passage go through one encoder together as
 * `[CLS] q [SEP] p [SEP]`, every layer attending across both; a linear layer turns the [CLS] vector into the
 * score. The most expressive student and the slowest to serve: nothing can be computed before the query arrives.
 */
import type * as tf from '../tf';
import { defineEncoder, encode, type TokenBatch } from '../layers/transformer';
import type { Kernels } from '../kernels';
import { defineScoreHead, encoderDims, firstToken, joinSequence, scoreHead, Student, type StudentConfig } from './student';

const dims = (config: StudentConfig) => encoderDims('cat', config);

export class CatStudent extends Student {
  readonly arch = 'cat';

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', dims(config));
    defineScoreHead(this.params, 'head', config.hidden);
  }

  /** `[CLS] q [SEP] p [SEP]`, padding left where each part has it (masked out of attention). */
  joined(query: TokenBatch, passage: TokenBatch): TokenBatch {
    const { cls, sep } = this.config;
    return joinSequence(query.ids.shape[0], [{ special: cls }, query, { special: sep }, passage, { special: sep }]);
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    return scoreHead(this.params, 'head', firstToken(encode(this.kernels, this.params, 'encoder', dims(this.config), this.joined(query, passage))));
  }
}
