/**
 * Batches for pretrained students, built on the CPU from token ids as the dataset stores them (no special
 * tokens): `[CLS] t… [SEP]` for one text, `[CLS] q [SEP] p [SEP]` for a query–passage pair, padded with id 0 at the
 * end. Masks and token types are made here too, from the lengths rather than from the ids, and go to the device as
 * float32 and int32 tensors of their own (deriving them there would mean casting integer tensors to float32 on
 * tfjs's WebGPU backend, which reads the wrong buffer type; see `tokenBatch` in ../layers/transformer.ts).
 */
import type { StudentDescriptor } from '../students/descriptor';
import { longestFirst, PAIR_SPECIALS } from '../../text/pair-cut';

export interface SpecialIds {
  cls: number;
  sep: number;
}

/** `rows` sequences of `length` positions each, row-major. */
export interface SequenceBatch {
  rows: number;
  length: number;
  ids: Int32Array;
  /** 1 for a real token (specials included), 0 for padding. */
  mask: Float32Array;
  /** 0 for `[CLS]`, the query and its `[SEP]`; 1 for the passage and the last `[SEP]`; 0 in padding. */
  types: Int32Array;
}

/** Pad every row to `maxLength`, keeping shapes (and so compiled GPU kernels) the same from batch to batch, or only to the longest row. */
export type Padding = 'max' | 'longest';

function check(condition: boolean, why: string): void {
  if (!condition) throw new RangeError(why);
}

function emptyBatch(rows: number, length: number): SequenceBatch {
  return { rows, length, ids: new Int32Array(rows * length), mask: new Float32Array(rows * length), types: new Int32Array(rows * length) };
}

/** `[CLS] t… [SEP]` per text, the tokens cut so that each whole sequence fits in `maxLength`. */
export function singleSequences(texts: readonly ArrayLike<number>[], maxLength: number, specials: SpecialIds, padding: Padding = 'max'): SequenceBatch {
  check(Number.isInteger(maxLength) && maxLength >= 2, `a sequence needs room for [CLS] and [SEP]: maxLength ${maxLength}`);
  const kept = texts.map((t) => Math.min(t.length, maxLength - 2));
  const length = padding === 'max' ? maxLength : Math.max(2, ...kept.map((k) => k + 2));
  const out = emptyBatch(texts.length, length);
  texts.forEach((tokens, r) => {
    const at = r * length;
    const k = kept[r] as number;
    out.ids[at] = specials.cls;
    for (let i = 0; i < k; i++) out.ids[at + 1 + i] = tokens[i] as number;
    out.ids[at + k + 1] = specials.sep;
    out.mask.fill(1, at, at + k + 2);
  });
  return out;
}

/**
 * `[CLS] q [SEP] p [SEP]` per pair, query i with passage i, cut longest-first (../../text/pair-cut.ts) to at most
 * `budget` query and passage tokens together: the cut `transformers`' tokenizers make with `truncation=True` and
 * `max_length` = budget + 3, which the cross-encoder export writes. Each row is budget + 3 positions long (padding:
 * 'max') or as long as the longest row ('longest').
 */
export function pairSequences(queries: readonly ArrayLike<number>[], passages: readonly ArrayLike<number>[], budget: number, specials: SpecialIds, padding: Padding = 'max'): SequenceBatch {
  check(queries.length === passages.length, `${queries.length} queries but ${passages.length} passages`);
  check(Number.isInteger(budget) && budget >= 0, `a pair's budget of query and passage tokens must be a whole number of at least 0, got ${budget}`);
  const maxLength = budget + PAIR_SPECIALS;
  const kept = queries.map((q, r) => longestFirst(q.length, (passages[r] as ArrayLike<number>).length, budget));
  const length = padding === 'max' ? maxLength : Math.max(3, ...kept.map(([qn, pn]) => qn + pn + 3));
  const out = emptyBatch(queries.length, length);
  kept.forEach(([qn, pn], r) => {
    const q = queries[r] as ArrayLike<number>;
    const p = passages[r] as ArrayLike<number>;
    const at = r * length;
    out.ids[at] = specials.cls;
    for (let i = 0; i < qn; i++) out.ids[at + 1 + i] = q[i] as number;
    out.ids[at + qn + 1] = specials.sep;
    const pStart = at + qn + 2;
    for (let i = 0; i < pn; i++) out.ids[pStart + i] = p[i] as number;
    out.ids[pStart + pn] = specials.sep;
    out.mask.fill(1, at, pStart + pn + 1);
    out.types.fill(1, pStart, pStart + pn + 1);
  });
  return out;
}

/**
 * Refuses query and passage lengths (tokens without specials, as the run config counts them) whose sequences
 * would need more positions than the model has embeddings for: `[CLS] t [SEP]` for students that encode each text
 * apart, `[CLS] q [SEP] p [SEP]` for those that join them.
 */
export function checkLengths(model: { dims: { maxPositions: number } }, queryLength: number, passageLength: number, student: Pick<StudentDescriptor, 'sequences'>): void {
  const max = model.dims.maxPositions;
  const joined = student.sequences === 'joined';
  const need = joined ? queryLength + passageLength + 3 : Math.max(queryLength, passageLength) + 2;
  if (need <= max) return;
  const what = joined
    ? `[CLS] + ${queryLength} query tokens + [SEP] + ${passageLength} passage tokens + [SEP] = ${need} positions`
    : `${queryLength >= passageLength ? `${queryLength} query` : `${passageLength} passage`} tokens + [CLS] + [SEP] = ${need} positions`;
  throw new RangeError(`${what}, over the model's ${max} (max_position_embeddings in config.json)`);
}
