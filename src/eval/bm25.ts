/**
 * BM25 over a dataset's collection, in a worker. Parameters are the MS MARCO setting (k1 = 0.9,
 * b = 0.4) and the scoring is Lucene's (as Anserini's baselines use): per query term occurrence,
 *
 *   idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl)),   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * The formula is Lucene's, the text processing is not: words are lower-cased but neither stemmed nor filtered for
 * stopwords (Anserini applies Porter stemming and a stopword list), and Lucene stores document lengths lossily.
 * So the ranking follows BM25 but will not reproduce Anserini's published figures digit for digit.
 *
 * Terms are words hashed into 2^22 buckets, not the model's 8,192-bucket ids: at MS MARCO's vocabulary size the
 * training tokenizer's collisions would merge thousands of words, while 4 million buckets keep nearly all apart.
 */
import { tokenize } from '../text/hashing';

export const BM25_K1 = 0.9;
export const BM25_B = 0.4;
export const BM25_BUCKETS = 1 << 22;

export function bm25Terms(text: string): Int32Array {
  return tokenize(text, { kind: 'hash-words', buckets: BM25_BUCKETS });
}

/**
 * What scoring reads: the collection's statistics and each term's postings. The studio keeps them in files
 * (bm25-files.ts); bm25.reference.ts builds the same index in memory, the reference the files are tested against.
 */
export interface Bm25Searchable {
  /** Document count. */
  n: number;
  avgdl: number;
  docLen: Uint32Array;
  k1: number;
  b: number;
  /** Documents holding the term. */
  df(term: number): number;
  /** The term's postings: documents (row numbers, ascending) and the term's count in each. */
  postings(term: number): { docs: Uint32Array; tfs: Uint16Array };
}

/** A document's distinct terms, ascending, and how often each occurs (counts capped at 65,535). */
export function termCounts(terms: Int32Array): { terms: Int32Array; counts: Uint16Array } {
  const sorted = terms.slice().sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const out = new Int32Array(distinct);
  const counts = new Uint16Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) out[++k] = sorted[i] as number;
    counts[k] = Math.min(65535, (counts[k] as number) + 1);
  }
  return { terms: out, counts };
}

export function idf(index: Bm25Searchable, term: number): number {
  const df = index.df(term);
  return Math.log(1 + (index.n - df + 0.5) / (df + 0.5));
}

/** Scores of every document for a query (0 for documents sharing no term). */
export function scoreAll(index: Bm25Searchable, queryTerms: ArrayLike<number>, acc: Float32Array = new Float32Array(index.n)): Float32Array {
  acc.fill(0);
  const { k1, b, avgdl, docLen } = index;
  for (let i = 0; i < queryTerms.length; i++) {
    const t = queryTerms[i] as number;
    if (index.df(t) === 0) continue;
    const w = idf(index, t);
    const { docs, tfs } = index.postings(t);
    for (let p = 0; p < docs.length; p++) {
      const d = docs[p] as number;
      const tf = tfs[p] as number;
      acc[d] = (acc[d] as number) + (w * tf) / (tf + k1 * (1 - b + (b * (docLen[d] as number)) / avgdl));
    }
  }
  return acc;
}

/** The k best documents (rows) for a query, best first; documents sharing no term with the query are left out. */
export function topK(index: Bm25Searchable, queryTerms: ArrayLike<number>, k: number, acc?: Float32Array): { rows: Int32Array; scores: Float32Array } {
  const scores = scoreAll(index, queryTerms, acc);
  // A min-heap of the best k (score, row) seen so far.
  const heapScore = new Float32Array(k);
  const heapRow = new Int32Array(k);
  let size = 0;
  const swap = (i: number, j: number) => {
    const s = heapScore[i] as number;
    heapScore[i] = heapScore[j] as number;
    heapScore[j] = s;
    const r = heapRow[i] as number;
    heapRow[i] = heapRow[j] as number;
    heapRow[j] = r;
  };
  const less = (i: number, j: number) => (heapScore[i] as number) < (heapScore[j] as number) || ((heapScore[i] as number) === (heapScore[j] as number) && (heapRow[i] as number) > (heapRow[j] as number));
  for (let d = 0; d < scores.length; d++) {
    const s = scores[d] as number;
    if (s <= 0) continue;
    if (size < k) {
      heapScore[size] = s;
      heapRow[size] = d;
      for (let i = size++; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!less(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (s > (heapScore[0] as number)) {
      heapScore[0] = s;
      heapRow[0] = d;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && less(l, m)) m = l;
        if (r < size && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((x, y) => (heapScore[y] as number) - (heapScore[x] as number) || (heapRow[x] as number) - (heapRow[y] as number));
  return { rows: Int32Array.from(order, (i) => heapRow[i] as number), scores: Float32Array.from(order, (i) => heapScore[i] as number) };
}
