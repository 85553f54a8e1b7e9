/**
 * What every student is: named weights and a scorer of (query, passage) batches. The five architectures differ in
 * where query and passage meet, which is what makes their scores live at different magnitudes.
 */
import * as tf from '../tf';
import { ParamSet } from '../layers/params';
import type { EncoderDims, TokenBatch } from '../layers/transformer';
import { Rng } from '../../util/random';
import type { Kernels } from '../kernels';
import type { StudentConfig } from './config';
import type { StudentDescriptor } from './descriptor';
import type { HfModelDescription } from '../../export/hf-layout';

export type { StudentConfig } from './config';

/** What a run starts from: a stored model's description and weights. */
export type PretrainedStart = HfModelDescription;

/**
 * The tfjs half of a student (its folder's `model.ts`): building it from random weights or on a checkpoint. The
 * other half, its descriptor, says everything the page needs without tfjs.
 */
export interface StudentModel {
  scratch(config: StudentConfig, seed: number, kernels: Kernels): Student;
  /** On a checkpoint; `config` holds the checkpoint's sizes where the descriptor takes them (sizesOnCheckpoint). */
  pretrained(config: StudentConfig, seed: number, kernels: Kernels, start: PretrainedStart, denseDim: number): Student;
}

/**
 * The encoder shape of a student. Token batches hold tokens without special tokens; students that add [CLS] or
 * [SEP] have the room for them (their descriptor's encoderLength).
 */
export function encoderDims(student: StudentDescriptor, config: StudentConfig): EncoderDims {
  return { vocabSize: config.vocabSize, maxLength: student.encoderLength(config), hidden: config.hidden, heads: config.heads, ffn: config.ffn, layers: student.encoderLayers(config) };
}

/** A column of one token id, [n, 1], with its mask. */
function special(n: number, id: number): TokenBatch {
  return { ids: tf.fill([n, 1], id, 'int32') as tf.Tensor2D, mask: tf.ones([n, 1]) as tf.Tensor2D };
}

/**
 * Token batches joined along the sequence (ids and masks); `cls` / `sep` entries are special-token columns. The
 * ids on the CPU are joined too when every batch has them (padding then sits between the parts).
 */
export function joinSequence(n: number, parts: (TokenBatch | { special: number })[]): TokenBatch {
  const batches = parts.map((p) => ('special' in p ? special(n, p.special) : p));
  const joined: TokenBatch = { ids: tf.concat(batches.map((b) => b.ids), 1), mask: tf.concat(batches.map((b) => b.mask), 1) };
  const widths = parts.map((p) => ('special' in p ? 1 : p.ids.shape[1]));
  // The CPU ids must be the device ids' exact copy, or the embedding gradient would land on other rows.
  const hostFits = (p: TokenBatch) => p.host !== undefined && p.host.rows === n && p.host.length === p.ids.shape[1];
  if (parts.every((p) => 'special' in p || hostFits(p))) {
    const length = widths.reduce((a, b) => a + b, 0);
    const ids = new Int32Array(n * length);
    for (let r = 0; r < n; r++) {
      let at = r * length;
      parts.forEach((p, i) => {
        const w = widths[i] as number;
        if ('special' in p) ids[at] = p.special;
        else if (p.host) ids.set(p.host.ids.subarray(r * w, (r + 1) * w), at);
        at += w;
      });
    }
    joined.host = { ids, rows: n, length };
  }
  return joined;
}

export function concatBatches(a: TokenBatch, b: TokenBatch): TokenBatch {
  const joined: TokenBatch = { ids: tf.concat([a.ids, b.ids], 0), mask: tf.concat([a.mask, b.mask], 0) };
  if (a.host && b.host && a.host.length === b.host.length) {
    const ids = new Int32Array(a.host.ids.length + b.host.ids.length);
    ids.set(a.host.ids);
    ids.set(b.host.ids, a.host.ids.length);
    joined.host = { ids, rows: a.host.rows + b.host.rows, length: a.host.length };
  }
  return joined;
}

export abstract class Student {
  /** The registered name of its student (its descriptor's). */
  abstract readonly arch: string;
  readonly params: ParamSet;

  /** @param kernels the ops its layers run (fused or stock), fixed for the student's life. */
  constructor(
    readonly config: StudentConfig,
    seed: number,
    readonly kernels: Kernels,
  ) {
    this.params = new ParamSet(new Rng(seed));
  }

  /** Scores query i against passage i. */
  abstract scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D;

  /** Scores each query against its positive and its negative passage, as one batch of pairs. */
  scoreTriples(query: TokenBatch, pos: TokenBatch, neg: TokenBatch): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
    const b = query.ids.shape[0];
    const scores = this.scorePairs(concatBatches(query, query), concatBatches(pos, neg));
    const [p, n] = tf.split(scores, [b, b], 0) as [tf.Tensor1D, tf.Tensor1D];
    return { pos: p, neg: n };
  }

  parameterCount(): number {
    return this.params.count();
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Students that encode query and passage apart and then let the two encodings meet (dot, colbert, tk): a pair is
 * scored from its two encodings, and a triple encodes its query once for the positive and the negative.
 */
export abstract class SeparateEncodingStudent<T extends tf.Tensor> extends Student {
  /** One side's encoding: [n, ...] from [n, length] tokens. */
  abstract encodeSide(tokens: TokenBatch): T;
  /** Scores encoding pair i from row i of each, with the token masks. */
  abstract interact(q: T, qMask: tf.Tensor2D, p: T, pMask: tf.Tensor2D): tf.Tensor1D;

  scorePairs(query: TokenBatch, passage: TokenBatch): tf.Tensor1D {
    return this.interact(this.encodeSide(query), query.mask, this.encodeSide(passage), passage.mask);
  }

  override scoreTriples(query: TokenBatch, pos: TokenBatch, neg: TokenBatch): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
    const b = query.ids.shape[0];
    const q = this.encodeSide(query);
    const [p, n] = tf.split(this.encodeSide(concatBatches(pos, neg)), [b, b], 0) as [T, T];
    return { pos: this.interact(q, query.mask, p, pos.mask), neg: this.interact(q, query.mask, n, neg.mask) };
  }
}

/** A student that turns one text into one vector (dot), which is what dense retrieval needs. */
export interface VectorStudent extends Student {
  /** [n, length] tokens -> [n, vectorSize] vectors. */
  embed(tokens: TokenBatch): tf.Tensor2D;
  readonly vectorSize: number;
}

export function isVectorStudent(s: Student): s is VectorStudent {
  return 'embed' in s && typeof (s as { embed?: unknown }).embed === 'function' && 'vectorSize' in s;
}

/** A linear map of [n, hidden] to one score each. */
export function defineScoreHead(params: ParamSet, prefix: string, hidden: number): void {
  params.normal(`${prefix}/w`, [hidden, 1], 0.02);
  params.constant(`${prefix}/b`, [1], 0);
}

export function scoreHead(params: ParamSet, prefix: string, x: tf.Tensor2D): tf.Tensor1D {
  return x.matMul(params.get(`${prefix}/w`)).add(params.get(`${prefix}/b`)).reshape([-1]) as tf.Tensor1D;
}

/** Position 0 of every sequence: the [CLS] vector. */
export function firstToken(states: tf.Tensor3D): tf.Tensor2D {
  const [n, , d] = states.shape;
  return states.slice([0, 0, 0], [n, 1, d]).reshape([n, d]) as tf.Tensor2D;
}
