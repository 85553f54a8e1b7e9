// The real-size students of issue 21, shared by bench/real-size.mjs (the browser) and bench/gpu/real-size.mjs (Dawn
// for Node): `dot` students with the encoder shapes of MiniLM-L6 and DistilBERT and BERT's WordPiece vocabulary, at
// the lengths of the Margin-MSE paper (query 30, passage 200). bench/torch/dot_student.py holds the same shapes under
// the same names (its configs `minilm` and `distilbert`).

/** @typedef {{ label: string, hidden: number, heads: number, ffn: number, layers: number }} Shape */

/** @type {Record<string, Shape>} */
export const SHAPES = {
  minilm: { label: 'MiniLM-L6 shape', hidden: 384, heads: 12, ffn: 1536, layers: 6 },
  distilbert: { label: 'DistilBERT shape', hidden: 768, heads: 12, ffn: 3072, layers: 6 },
};

/** bert-base-uncased's vocabulary: the studio's 'bert-base-uncased' tokenizer, 30,522 ids. */
export const VOCAB_TOKENIZER = 'bert-base-uncased';
export const QUERY_LENGTH = 30;
export const PASSAGE_LENGTH = 200;

/**
 * The run config of one shape (fields the studio's RunConfig names; the rest keep its defaults).
 * @param {Shape} shape
 * @param {{ batch: number, query: number, passage: number, kernels: string }} o
 */
export function runConfigOf(shape, { batch, query, passage, kernels }) {
  return { arch: 'dot', hidden: shape.hidden, heads: shape.heads, ffn: shape.ffn, layers: shape.layers, batchSize: batch, queryLength: query, passageLength: passage, learningRate: 1e-4, kernels, backend: 'webgpu' };
}

/**
 * The shape a name stands for; throws, naming the known ones, for any other.
 * @param {string} name
 * @returns {Shape}
 */
export function shapeOf(name) {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`unknown shape ${name}: one of ${Object.keys(SHAPES).join(', ')}`);
  return shape;
}
