/**
 * The students on a pretrained BERT or DistilBERT: the checkpoint's encoder exactly as `transformers` computes it
 * (layers/bert.ts), its weights under the library's own names, and on it each architecture's way of meeting query
 * and passage. Sequences are rebuilt on the CPU from the batch's host ids, `[CLS] text [SEP]` or
 * `[CLS] q [SEP] p [SEP]` with the padding at the end, so positions and token types are what the library gives
 * the same texts. The configured query and passage lengths count tokens without [CLS] and [SEP].
 */
import * as tf from '../tf';
import { CLASSIFIER, POOLER, PRE_CLASSIFIER, type HfModelDescription, type HfPooling } from '../../export/hf-layout';
import { bertEmbed, bertInputs, bertLayers, crossEncoderLogits, DENSE_BIAS, DENSE_WEIGHT, loadPretrainedParams, sentenceVectors, type BertSpec } from '../layers/bert';
import { hostRows, type TokenBatch } from '../layers/transformer';
import { maxSim } from './colbert';
import type { Kernels } from '../kernels';
import { concatBatches, Student, type StudentConfig } from './student';
import { pairSequences, singleSequences, type SequenceBatch } from '../pretrained/sequences';
import type { Arch } from './archs';

/** What a run starts from: a stored model's description and weights. */
export type PretrainedStart = HfModelDescription;

function rowsOf(tokens: TokenBatch): Int32Array[] {
  if (!tokens.host) throw new Error('a pretrained student needs the batch ids on the CPU (tokenBatch keeps them)');
  return hostRows(tokens.host);
}

abstract class PretrainedStudent extends Student {
  readonly spec: BertSpec;
  /** Weights this student adds to the checkpoint's: new heads and projections. */
  readonly newNames = new Set<string>();

  /** @param withHead whether the checkpoint's classification head (if any) is kept: cross-encoders read it. */
  constructor(
    config: StudentConfig,
    seed: number,
    kernels: Kernels,
    readonly start: PretrainedStart,
    withHead: boolean,
  ) {
    super(config, seed, kernels);
    this.spec = { type: start.type, dims: start.dims };
    const head = (name: string) => name.startsWith(`${CLASSIFIER}.`) || name.startsWith(`${PRE_CLASSIFIER}.`);
    const weights = withHead ? start.weights : new Map([...start.weights].filter(([name]) => !head(name)));
    loadPretrainedParams(this.params, weights, start.dense);
  }

  protected inputs(batch: SequenceBatch) {
    return bertInputs(batch, this.spec.type === 'bert');
  }

  /** A weight the checkpoint does not have, drawn from the seeded generator (new heads, projections). */
  protected fresh(name: string, shape: number[], kind: 'normal' | 'zero' | 'one' = 'normal'): void {
    if (this.params.vars.has(name)) return;
    if (kind === 'normal') this.params.normal(name, shape, 0.02);
    else this.params.constant(name, shape, kind === 'one' ? 1 : 0);
    this.newNames.add(name);
  }

  /** Single texts as `[CLS] t [SEP]`, cut to `tokens` tokens; encoded [n, tokens + 2, hidden] with their mask. */
  protected encodeSingle(tokens: TokenBatch, length: number): { states: tf.Tensor3D; mask: tf.Tensor2D } {
    const batch = singleSequences(rowsOf(tokens), length + 2, this.config);
    const inputs = this.inputs(batch);
    return { states: bertLayers(this.kernels, this.params, this.spec, bertEmbed(this.kernels, this.params, this.spec, inputs), inputs.mask, 0, this.spec.dims.layers), mask: inputs.mask };
  }

  /** The length a side's batch was padded to: its configured length. */
  protected lengthOf(tokens: TokenBatch): number {
    return tokens.ids.shape[1];
  }
}

/** Dot: `[CLS]` or mean pooling (sentence-transformers' choice unless configured), an optional Dense, dot product. */
export class PretrainedDotStudent extends PretrainedStudent {
  readonly arch = 'dot';
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

/** ColBERT on the pretrained stack: a linear compression of every token vector, unit length, sum of max similarities. */
export class PretrainedColbertStudent extends PretrainedStudent {
  readonly arch = 'colbert';

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

/**
 * The head of a cross-encoder: the checkpoint's own when it is a `*ForSequenceClassification`, else a new one of
 * the same shape (BERT: its pooler, new if absent, and a classifier; DistilBERT: pre_classifier and classifier).
 */
function ensureClassifierHead(s: PretrainedStudent, fresh: (name: string, shape: number[], kind?: 'normal' | 'zero') => void): void {
  const d = s.spec.dims.hidden;
  if (s.spec.type === 'bert') {
    fresh(`${POOLER}.weight`, [d, d]);
    fresh(`${POOLER}.bias`, [d], 'zero');
  } else {
    fresh(`${PRE_CLASSIFIER}.weight`, [d, d]);
    fresh(`${PRE_CLASSIFIER}.bias`, [d], 'zero');
  }
  fresh(`${CLASSIFIER}.weight`, [1, d]);
  fresh(`${CLASSIFIER}.bias`, [1], 'zero');
}

/** BERT_CAT: `[CLS] q [SEP] p [SEP]` through the whole stack, the classification head's one logit as the score. */
export class PretrainedCatStudent extends PretrainedStudent {
  readonly arch = 'cat';

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

/**
 * PreTTR on the pretrained stack split after `config.layers` blocks: `[CLS] q [SEP]` and `p [SEP]` (positions after
 * the query's room, token type 1) apart below the split, joined above it; the classification head reads [CLS].
 */
export class PretrainedPrettStudent extends PretrainedStudent {
  readonly arch = 'prett';

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

/** The students that start from a checkpoint's encoder (tk reuses only its word embeddings: see students/index.ts). */
export function createPretrainedEncoderStudent(arch: Exclude<Arch, 'tk'>, config: StudentConfig, start: PretrainedStart, seed: number, kernels: Kernels, denseDim = 0): PretrainedStudent {
  switch (arch) {
    case 'dot':
      return new PretrainedDotStudent(config, seed, kernels, start, denseDim);
    case 'colbert':
      return new PretrainedColbertStudent(config, seed, kernels, start);
    case 'cat':
      return new PretrainedCatStudent(config, seed, kernels, start);
    case 'prett':
      return new PretrainedPrettStudent(config, seed, kernels, start);
  }
}

export { PretrainedStudent };
