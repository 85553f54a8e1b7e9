/**
 * ColBERT: query and passage are encoded apart into one vector per token, projected down to `compressDim` and
 * L2-normalised; the score is, for each real query token, its best cosine with any real passage token, summed.
 * Scores therefore lie in [-queryLength, queryLength]. Only the set of passage vectors matters, not their order.
 */
import * as tf from '../../tf';
import { defineEncoder, encode, type TokenBatch } from '../../layers/transformer';
import type { Kernels } from '../../kernels';
import { concatBatches, encoderDims, SeparateEncodingStudent, type PretrainedStart, type StudentConfig, type StudentModel } from '../student';
import { PretrainedStudent } from '../pretrained';
import { colbert } from './descriptor';

const dims = (config: StudentConfig) => encoderDims(colbert, config);

/**
 * Sum over real query tokens of the maximum similarity with real passage tokens.
 * q [n, lq, c], qMask [n, lq], p [n, lp, c], pMask [n, lp] -> [n].
 */
export function maxSim(k: Kernels, q: tf.Tensor3D, qMask: tf.Tensor2D, p: tf.Tensor3D, pMask: tf.Tensor2D): tf.Tensor1D {
  const sim = k.batchMatMul(q, p, false, true); // [n, lq, lp]
  const masked = sim.add(pMask.sub(1).mul(1e4).expandDims(1));
  // A passage without a single real token scores 0 rather than the mask's large negative.
  return masked.max(2).mul(qMask).mul(pMask.max(1, true)).sum(1) as tf.Tensor1D;
}

export class ColbertStudent extends SeparateEncodingStudent<tf.Tensor3D> {
  readonly arch = colbert.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', dims(config));
    // ColBERT's projection has no bias.
    this.params.normal('colbert/proj', [config.hidden, config.compressDim], 1 / Math.sqrt(config.hidden));
  }

  /** [n, length] tokens -> [n, length, compressDim] unit vectors. */
  tokenVectors(tokens: TokenBatch): tf.Tensor3D {
    const [n, length] = tokens.ids.shape;
    const h = encode(this.kernels, this.params, 'encoder', dims(this.config), tokens).reshape([n * length, this.config.hidden]);
    const v = this.kernels.linear(h as tf.Tensor2D, this.params.get('colbert/proj') as tf.Tensor2D, null);
    // Normalised with a floor, so an all-zero vector cannot divide by zero.
    return v.div(v.square().sum(1, true).add(1e-12).sqrt()).reshape([n, length, this.config.compressDim]) as tf.Tensor3D;
  }

  encodeSide(tokens: TokenBatch): tf.Tensor3D {
    return this.tokenVectors(tokens);
  }

  interact(q: tf.Tensor3D, qMask: tf.Tensor2D, p: tf.Tensor3D, pMask: tf.Tensor2D): tf.Tensor1D {
    return maxSim(this.kernels, q, qMask, p, pMask);
  }
}

/** ColBERT on the pretrained stack: a linear compression of every token vector, unit length, sum of max similarities. */
export class PretrainedColbertStudent extends PretrainedStudent {
  readonly arch = colbert.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels, start: PretrainedStart) {
    super(config, seed, kernels, start, false);
    this.fresh('colbert/proj', [start.dims.hidden, config.compressDim]);
  }

  private tokenVectors(tokens: TokenBatch): { vectors: tf.Tensor3D; mask: tf.Tensor2D } {
    const { states, mask } = this.encodeSingle(tokens, this.lengthOf(tokens));
    const [n, length, d] = states.shape;
    const v = (states.reshape([n * length, d]) as tf.Tensor2D).matMul(this.params.get('colbert/proj'));
    const unit = v.div(v.square().sum(1, true).add(1e-12).sqrt()).reshape([n, length, this.config.compressDim]) as tf.Tensor3D;
    return { vectors: unit, mask };
  }

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    const q = this.tokenVectors(query);
    const p = this.tokenVectors(passage);
    return maxSim(this.kernels, q.vectors, q.mask, p.vectors, p.mask);
  }

  override scoreTriples(query: TokenBatch, pos: TokenBatch, neg: TokenBatch): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
    const b = query.ids.shape[0];
    const q = this.tokenVectors(query);
    const both = this.tokenVectors(concatBatches(pos, neg));
    const [pv, nv] = tf.split(both.vectors, [b, b], 0) as [tf.Tensor3D, tf.Tensor3D];
    const [pm, nm] = tf.split(both.mask, [b, b], 0) as [tf.Tensor2D, tf.Tensor2D];
    return { pos: maxSim(this.kernels, q.vectors, q.mask, pv, pm), neg: maxSim(this.kernels, q.vectors, q.mask, nv, nm) };
  }
}

export const colbertModel: StudentModel = {
  scratch: (config, seed, kernels) => new ColbertStudent(config, seed, kernels),
  pretrained: (config, seed, kernels, start) => new PretrainedColbertStudent(config, seed, kernels, start),
};
