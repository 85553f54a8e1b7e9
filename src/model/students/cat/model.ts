/**
 * BERT_CAT: the concatenated cross-encoder. Query and passage go through one encoder together as
 * `[CLS] q [SEP] p [SEP]`, every layer attending across both; a linear layer turns the [CLS] vector into the
 * score. The most expressive student and the slowest to serve: nothing can be computed before the query arrives.
 */
import type * as tf from '../../tf';
import { defineEncoder, encode, type TokenBatch } from '../../layers/transformer';
import { bertEmbed, bertLayers, crossEncoderLogits } from '../../layers/bert';
import type { Kernels } from '../../kernels';
import { defineScoreHead, encoderDims, firstToken, joinSequence, scoreHead, Student, type PretrainedStart, type StudentConfig, type StudentModel } from '../student';
import { ensureClassifierHead, PretrainedStudent, rowsOf } from '../pretrained';
import { pairSequences } from '../../pretrained/sequences';
import { cat } from './descriptor';

const dims = (config: StudentConfig) => encoderDims(cat, config);

export class CatStudent extends Student {
  readonly arch = cat.name;

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

/** BERT_CAT: `[CLS] q [SEP] p [SEP]` through the whole stack, the classification head's one logit as the score. */
export class PretrainedCatStudent extends PretrainedStudent {
  readonly arch = cat.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels, start: PretrainedStart) {
    super(config, seed, kernels, start, true);
    ensureClassifierHead(this, (n, shape, kind) => this.fresh(n, shape, kind));
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    const qLen = this.lengthOf(query);
    const batch = pairSequences(rowsOf(query), rowsOf(passage), { queryTokens: qLen, maxLength: qLen + this.lengthOf(passage) + 3 }, this.config);
    const inputs = this.inputs(batch);
    const states = bertLayers(this.kernels, this.params, this.spec, bertEmbed(this.kernels, this.params, this.spec, inputs), inputs.mask, 0, this.spec.dims.layers);
    return crossEncoderLogits(this.kernels, this.params, this.spec, states);
  }
}

export const catModel: StudentModel = {
  scratch: (config, seed, kernels) => new CatStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start) => new PretrainedCatStudent(config, seed, kernels, start),
};
