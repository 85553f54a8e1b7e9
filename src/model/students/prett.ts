/**
 * PreTTR: a cross-encoder whose lower `layers` see query and passage apart (`[CLS] q [SEP]` and `p [SEP]`, at the
 * positions they have in the joint sequence), and whose upper `jointLayers` attend over their concatenation; the
 * [CLS] vector gives the score. The lower layers share their weights between query and passage, as in the paper,
 * so passages' lower states can be computed ahead of time and stored.
 */
import * as tf from '../tf';
import { defineEncoder, embedTokens, finalNorm, runLayers, type TokenBatch } from '../layers/transformer';
import type { Kernels } from '../kernels';
import { defineScoreHead, encoderDims, firstToken, joinSequence, scoreHead, Student, type StudentConfig } from './student';

const dims = (config: StudentConfig) => encoderDims('prett', config);

export class PrettStudent extends Student {
  readonly arch = 'prett';

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    if (config.jointLayers < 1) throw new Error('PreTTR needs at least one joint layer');
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
