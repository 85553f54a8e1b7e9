/** What a student is built from: its sizes and what it needs of the tokenizer. A plain type of the model layer. */

export const POOLINGS = ['mean', 'cls'] as const;
/** How a dot student turns token vectors into one vector. */
export type Pooling = (typeof POOLINGS)[number];

/** A student's sizes and lengths, as a run config sets them. */
export interface StudentSizes {
  /**
   * Tokens of a query the student reads, special tokens not counted. cat reads query and passage as one pair of at
   * most queryLength + passageLength tokens (+ [CLS] and two [SEP]: the export's max_length), cut longest-first as
   * `transformers` and `CrossEncoder` cut a pair: a short query leaves its room to a long passage, and a long query
   * keeps more than queryLength where the passage is short.
   */
  queryLength: number;
  /** Tokens of a passage the student reads, special tokens not counted (for cat: see queryLength). */
  passageLength: number;
  hidden: number;
  heads: number;
  ffn: number;
  /** Transformer layers (for PreTTR: the lower layers, where query and passage are apart). */
  layers: number;
  pooling: Pooling;
  /** colbert: size of the per-token vectors after projection. */
  compressDim: number;
  /** prett: layers over the joined query and passage, above `layers`. */
  jointLayers: number;
}

export interface StudentConfig extends StudentSizes {
  vocabSize: number;
  /** Ids of the tokenizer's [CLS] and [SEP]. */
  cls: number;
  sep: number;
}
