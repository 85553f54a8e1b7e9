/**
 * PreTTR: a cross-encoder whose lower `layers` see query and passage apart (`[CLS] q [SEP]` and `p [SEP]`, at the
 * positions they have in the joint sequence), and whose upper `jointLayers` attend over their concatenation; the
 * [CLS] vector gives the score. The lower layers share their weights between query and passage, as in the paper,
 * so passages' lower states can be computed ahead of time and stored.
 */
import * as tf from '../../tf';
import { defineEncoder, embedTokens, finalNorm, runLayers, type TokenBatch } from '../../layers/transformer';
import type { Kernels } from '../../kernels';
import { bertEmbed, bertLayers, crossEncoderLogits } from '../../layers/bert';
import { defineScoreHead, encoderDims, firstToken, joinSequence, scoreHead, Student, type PretrainedStart, type StudentConfig, type StudentModel } from '../student';
import { ensureClassifierHead, PretrainedStudent, rowsOf } from '../pretrained';
import { singleSequences, type SequenceBatch } from '../../pretrained/sequences';
import { prett } from './descriptor';

const dims = (config: StudentConfig) => encoderDims(prett, config);

export class PrettStudent extends Student {
  readonly arch = prett.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    const why = prett.check(config);
    if (why) throw new Error(why);
    defineEncoder(this.params, 'encoder', dims(config));
    defineScoreHead(this.params, 'head', config.hidden);
  }

  /** The passage's states after the lower layers, `p [SEP]`: independent of any query, so they can be stored. */
  passageStates(passage: TokenBatch): TokenBatch & { states: tf.Tensor3D } {
    const d = dims(this.config);
    const seq = joinSequence(passage.ids.shape[0], [passage, { special: this.config.sep }]);
    const offset = this.config.queryLength + 2;
    const states = runLayers(this.kernels, this.params, 'encoder', d, embedTokens(this.kernels, this.params, 'encoder', d, seq.ids, offset, seq.host), seq.mask, 0, this.config.layers);
    return { ...seq, states };
  }

  /** Scores queries against passages whose lower states are already computed. */
  scoreWithPassageStates(query: TokenBatch, passage: TokenBatch & { states: tf.Tensor3D }): tf.Tensor1D {
    const d = dims(this.config);
    const q = joinSequence(query.ids.shape[0], [{ special: this.config.cls }, query, { special: this.config.sep }]);
    const qStates = runLayers(this.kernels, this.params, 'encoder', d, embedTokens(this.kernels, this.params, 'encoder', d, q.ids, 0, q.host), q.mask, 0, this.config.layers);
    const states = tf.concat([qStates, passage.states], 1);
    const mask = tf.concat([q.mask, passage.mask], 1);
    const upper = finalNorm(this.kernels, this.params, 'encoder', runLayers(this.kernels, this.params, 'encoder', d, states, mask, this.config.layers, d.layers));
    return scoreHead(this.params, 'head', firstToken(upper));
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    return this.scoreWithPassageStates(query, this.passageStates(passage));
  }
}

/**
 * PreTTR on the pretrained stack split after `config.layers` blocks: `[CLS] q [SEP]` and `p [SEP]` (positions after
 * the query's room, token type 1) apart below the split, joined above it; the classification head reads [CLS].
 */
export class PretrainedPrettStudent extends PretrainedStudent {
  readonly arch = prett.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels, start: PretrainedStart) {
    super(config, seed, kernels, start, true);
    if (config.layers < 0 || config.layers >= start.dims.layers) throw new Error(`PreTTR splits the model's ${start.dims.layers} layers: the split (layers) must be 0 to ${start.dims.layers - 1}, got ${config.layers}`);
    ensureClassifierHead(this, (n, shape, kind) => this.fresh(n, shape, kind));
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    const qLen = this.lengthOf(query);
    const split = this.config.layers;
    const q = singleSequences(rowsOf(query), qLen + 2, this.config);
    const pRows = rowsOf(passage);
    const pLen = this.lengthOf(passage) + 1;
    // `p [SEP]`: the passage cut to its length, its [SEP], then padding; token type 1 throughout its real part.
    const p: SequenceBatch = { rows: pRows.length, length: pLen, ids: new Int32Array(pRows.length * pLen), mask: new Float32Array(pRows.length * pLen), types: new Int32Array(pRows.length * pLen) };
    pRows.forEach((row, r) => {
      const k = Math.min(row.length, pLen - 1);
      p.ids.set(row.subarray(0, k), r * pLen);
      p.ids[r * pLen + k] = this.config.sep;
      p.mask.fill(1, r * pLen, r * pLen + k + 1);
      p.types.fill(1, r * pLen, r * pLen + k + 1);
    });
    const qi = this.inputs(q);
    const pi = this.inputs(p);
    const lowerQ = bertLayers(this.kernels, this.params, this.spec, bertEmbed(this.kernels, this.params, this.spec, qi), qi.mask, 0, split);
    const lowerP = bertLayers(this.kernels, this.params, this.spec, bertEmbed(this.kernels, this.params, this.spec, pi, qLen + 2), pi.mask, 0, split);
    const mask = tf.concat([qi.mask, pi.mask], 1);
    const upper = bertLayers(this.kernels, this.params, this.spec, tf.concat([lowerQ, lowerP], 1), mask, split, this.spec.dims.layers);
    return crossEncoderLogits(this.kernels, this.params, this.spec, upper);
  }
}

export const prettModel: StudentModel = {
  scratch: (config, seed, kernels) => new PrettStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start) => new PretrainedPrettStudent(config, seed, kernels, start),
};
