/**
 * A cross-encoder of the model library as the teacher: its checkpoint run as the cat student runs it (the same
 * forward `transformers`' BertForSequenceClassification / DistilBert… computes, layers/bert.ts), reading each pair
 * with the teacher's own vocabulary as `[CLS] q [SEP] p [SEP]`, cut longest-first to `maxLength` tokens as
 * `CrossEncoder(max_length=…)` cuts it, after cutting the query to `maxQueryTokens` (the paper reads 30 query
 * tokens; `CrossEncoder` has no such cut, so the two agree wherever queries are no longer). Queries are tokenized from their text here; passages come as token rows
 * already in the teacher's vocabulary (the dataset's own rows when they are, else rows made for it: tokens.ts).
 */
import type { HfModelDescription } from '../export/hf-layout';
import type { TokenSource } from '../eval/collection';
import type { Scorer } from '../eval/rerank';
import { SCORE_BATCH, scorePairs } from '../eval/score';
import type { Kernels } from '../model/kernels';
import { createStudent } from '../model/students';
import type { StudentConfig } from '../model/students/config';
import { PAIR_SPECIALS } from '../text/pair-cut';
import type { TextTokenizer } from '../text/tokenizers';
import { ROW_TOKEN_LIMIT } from '../data/rows/token-rows';

export interface TeacherScorer {
  /** Scores (query row, passage row) pairs: rows of `queryText` and of the passage token source. */
  score: Scorer;
  /** Tokens of query and passage a pair keeps together (maxLength − 3). */
  readonly budget: number;
  release(): void;
}

/** Bytes one forward's attention scores may take ([pairs, heads, length, length] float32): 128 MiB. */
export const ATTENTION_BYTES = 128 * 1024 * 1024;

/**
 * Pairs per forward for a teacher: as many as keep one layer's attention scores within ATTENTION_BYTES (at MiniLM's
 * 12 heads, 42 pairs of 256 tokens, 10 of 512), at most SCORE_BATCH: long pairs stay well within a device's
 * largest buffer (1 GiB on SwiftShader, often less on laptops).
 */
export function pairsPerForward(heads: number, maxLength: number): number {
  return Math.max(1, Math.min(SCORE_BATCH, Math.floor(ATTENTION_BYTES / (heads * maxLength * maxLength * 4))));
}

/** The pair budget for a max length, refused where the model has fewer positions. */
export function pairBudgetFor(maxLength: number, maxPositions: number): number {
  if (!Number.isInteger(maxLength) || maxLength < PAIR_SPECIALS + 1) throw new RangeError(`a teacher's max length must be a whole number of at least ${PAIR_SPECIALS + 1}, got ${maxLength}`);
  if (maxLength > maxPositions) throw new RangeError(`a max length of ${maxLength} tokens is over the teacher's ${maxPositions} positions (max_position_embeddings in its config.json)`);
  return maxLength - PAIR_SPECIALS;
}

export function crossEncoderScorer(
  start: HfModelDescription,
  tokenizer: TextTokenizer,
  options: { maxLength: number; maxQueryTokens?: number; kernels: Kernels; forwardBatch?: number },
  queryText: (row: number) => string,
  passages: TokenSource,
): TeacherScorer {
  if (start.kind !== 'cross-encoder') throw new Error(`the teacher must be a cross-encoder (a *ForSequenceClassification checkpoint with one label); this model is a ${start.kind}`);
  const budget = pairBudgetFor(options.maxLength, start.dims.maxPositions);
  const d = start.dims;
  // cat cuts the pair to queryLength + passageLength tokens longest-first; how the budget is split does not matter.
  const queryLength = Math.min(budget, Math.max(1, Math.floor(budget / 4)));
  const config: StudentConfig = {
    queryLength,
    passageLength: budget - queryLength,
    hidden: d.hidden,
    heads: d.heads,
    ffn: d.ffn,
    layers: d.layers,
    pooling: 'cls',
    compressDim: 8,
    jointLayers: 1,
    vocabSize: d.vocabSize,
    cls: tokenizer.cls,
    sep: tokenizer.sep,
  };
  const model = createStudent('cat', config, 1, options.kernels, start);
  const cache = new Map<number, Int32Array>();
  // Queries may be cut first (the paper reads 30 query tokens), then the pair longest-first.
  const queryCut = options.maxQueryTokens ?? budget;
  const queries: TokenSource = {
    padded(rows, length) {
      const out = new Int32Array(rows.length * length);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k] as number;
        let ids = cache.get(r);
        if (!ids) {
          ids = tokenizer.tokenize(queryText(r));
          if (cache.size > 4096) cache.clear();
          cache.set(r, ids);
        }
        out.set(ids.subarray(0, Math.min(length, queryCut)), k * length);
      }
      return out;
    },
  };
  // Each side carries up to the whole budget, so that the longest-first cut sees every token it may keep.
  const lengths = { queryLength: budget, passageLength: Math.min(budget, ROW_TOKEN_LIMIT), forwardBatch: options.forwardBatch ?? pairsPerForward(d.heads, options.maxLength) };
  return {
    budget,
    score: (queryRows, passageRows, onProgress) => scorePairs(model, { queries, passages }, queryRows, passageRows, lengths, onProgress),
    release: () => model.dispose(),
  };
}
