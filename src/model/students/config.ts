/** What a student is built from: its sizes and what it needs of the tokenizer. A plain type of the model layer. */

export const POOLINGS = ['mean', 'cls'] as const;
/** How a dot student turns token vectors into one vector. */
export type Pooling = (typeof POOLINGS)[number];

/** A student's sizes and lengths, as a run config sets them. */
export interface StudentSizes {
  /** Tokens of a query (and of a passage) the student reads, special tokens not counted. */
  queryLength: number;
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
