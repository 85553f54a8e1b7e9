/**
 * BERT_CAT: the concatenated cross-encoder. Query and passage go through one encoder together as
 * `[CLS] q [SEP] p [SEP]`, every layer attending across both; a linear layer turns the [CLS] vector into the
 * score. The most expressive student and the slowest to serve: nothing can be computed before the query arrives.
 *
 * Both builds cut a pair as `transformers` does for the exported cross-encoder: longest-first within queryLength +
 * passageLength tokens (text/pair-cut.ts), from batches that carry up to the whole pair's length on each side
 * (descriptor's `batchLengths`); batches cut shorter (each side at its own length) are cut the same way.
 */
import * as tf from '../../tf';
import { defineEncoder, encode, hostRows, type TokenBatch } from '../../layers/transformer';
import { bertEmbed, bertLayers, crossEncoderLogits } from '../../layers/bert';
import type { Kernels } from '../../kernels';
import { defineScoreHead, encoderDims, firstToken, scoreHead, Student, type PretrainedStart, type StudentConfig, type StudentModel } from '../student';
import { ensureClassifierHead, PretrainedStudent, rowsOf } from '../pretrained';
import { pairSequences, type SequenceBatch } from '../../pretrained/sequences';
import { cat } from './descriptor';

const dims = (config: StudentConfig) => encoderDims(cat, config);

/** The query and passage tokens a pair keeps together: the configured lengths' sum (the export's max_length − 3). */
export function pairBudget(config: Pick<StudentConfig, 'queryLength' | 'passageLength'>): number {
  return config.queryLength + config.passageLength;
}

function idsOf(tokens: TokenBatch): Int32Array[] {
  if (!tokens.host) throw new Error('the cat student cuts pairs on the CPU and needs the batch ids there (tokenBatch keeps them)');
  return hostRows(tokens.host);
}

export class CatStudent extends Student {
  readonly arch = cat.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', dims(config));
    defineScoreHead(this.params, 'head', config.hidden);
  }

  /**
   * `[CLS] q [SEP] p [SEP]` then padding, the pair cut longest-first: a sequence of queryLength + passageLength + 3
   * positions whose passage starts right after the query (no padding between the parts).
   */
  joined(query: TokenBatch, passage: TokenBatch): TokenBatch {
    const pairs: SequenceBatch = pairSequences(idsOf(query), idsOf(passage), pairBudget(this.config), this.config);
    const host = { ids: pairs.ids, rows: pairs.rows, length: pairs.length };
    return { ids: tf.tensor2d(pairs.ids, [pairs.rows, pairs.length], 'int32'), mask: tf.tensor2d(pairs.mask, [pairs.rows, pairs.length], 'float32'), host };
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
    const batch = pairSequences(rowsOf(query), rowsOf(passage), pairBudget(this.config), this.config);
    const inputs = this.inputs(batch);
    const states = bertLayers(this.kernels, this.params, this.spec, bertEmbed(this.kernels, this.params, this.spec, inputs), inputs.mask, 0, this.spec.dims.layers);
    return crossEncoderLogits(this.kernels, this.params, this.spec, states);
  }
}

export const catModel: StudentModel = {
  scratch: (config, seed, kernels) => new CatStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start) => new PretrainedCatStudent(config, seed, kernels, start),
};
