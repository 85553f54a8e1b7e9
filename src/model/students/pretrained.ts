/**
 * What the students on a pretrained BERT or DistilBERT share: the checkpoint's encoder exactly as `transformers`
 * computes it (layers/bert.ts), its weights under the library's own names; each student's folder puts its way of
 * meeting query and passage on it (`Pretrained*Student` in its model.ts). Sequences are rebuilt on the CPU from the batch's host ids, `[CLS] text [SEP]` or
 * `[CLS] q [SEP] p [SEP]` with the padding at the end, so positions and token types are what the library gives
 * the same texts. The configured query and passage lengths count tokens without [CLS] and [SEP].
 */
import type * as tf from '../tf';
import { CLASSIFIER, POOLER, PRE_CLASSIFIER } from '../../export/hf-layout';
import { bertEmbed, bertInputs, bertLayers, loadPretrainedParams, type BertSpec } from '../layers/bert';
import { hostRows, type TokenBatch } from '../layers/transformer';
import type { Kernels } from '../kernels';
import { Student, type PretrainedStart, type StudentConfig } from './student';
import { singleSequences, type SequenceBatch } from '../pretrained/sequences';

export type { PretrainedStart };

/** The ids of each row of a batch, as the CPU holds them. */
export function rowsOf(tokens: TokenBatch): Int32Array[] {
  if (!tokens.host) throw new Error('a pretrained student needs the batch ids on the CPU (tokenBatch keeps them)');
  return hostRows(tokens.host);
}

export abstract class PretrainedStudent extends Student {
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

/**
 * The head of a cross-encoder: the checkpoint's own when it is a `*ForSequenceClassification`, else a new one of
 * the same shape (BERT: its pooler, new if absent, and a classifier; DistilBERT: pre_classifier and classifier).
 */
export function ensureClassifierHead(s: PretrainedStudent, fresh: (name: string, shape: number[], kind?: 'normal' | 'zero') => void): void {
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

