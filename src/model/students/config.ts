/** What a student is built from: its sizes and what it needs of the tokenizer. A plain type of the model layer. */

export const POOLINGS = ['mean', 'cls'] as const;
/** How a dot student turns token vectors into one vector. */
export type Pooling = (typeof POOLINGS)[number];

export interface StudentConfig {
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
  vocabSize: number;
  /** Ids of the tokenizer's [CLS] and [SEP]. */
  cls: number;
  sep: number;
}
