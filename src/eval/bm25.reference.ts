/**
 * BM25's index built in memory from whole texts: the reference the file index (bm25-files.ts) is tested against,
 * posting for posting, and the index the scoring tests run on. No product code imports this module.
 */
import { textAt } from '../data/store/columns';
import type { TextColumns } from '../data/store/schema';
import { BM25_B, BM25_BUCKETS, BM25_K1, bm25Terms, termCounts, type Bm25Searchable } from './bm25';

export interface Bm25Index extends Bm25Searchable {
  /** Postings of term t: postDoc/postTf[termStart[t] .. termStart[t + 1]). Docs are row numbers. */
  termStart: Uint32Array;
  postDoc: Uint32Array;
  postTf: Uint16Array;
}

/** The in-memory index over arrays: postings of term t at [termStart[t], termStart[t + 1]). */
export function bm25Index(parts: { n: number; avgdl: number; docLen: Uint32Array; termStart: Uint32Array; postDoc: Uint32Array; postTf: Uint16Array; k1?: number; b?: number }): Bm25Index {
  const { termStart, postDoc, postTf } = parts;
  return {
    ...parts,
    k1: parts.k1 ?? BM25_K1,
    b: parts.b ?? BM25_B,
    df: (t) => (termStart[t + 1] as number) - (termStart[t] as number),
    postings: (t) => ({ docs: postDoc.subarray(termStart[t], termStart[t + 1]), tfs: postTf.subarray(termStart[t], termStart[t + 1]) }),
  };
}

/** Builds the index from each document's terms (`termsOf(row)`), in two passes over compact per-document runs. */
export function buildBm25Index(n: number, termsOf: (row: number) => Int32Array, vocab = BM25_BUCKETS, k1 = BM25_K1, b = BM25_B): Bm25Index {
  const docLen = new Uint32Array(n);
  const df = new Uint32Array(vocab + 1);
  // Per document, its distinct terms and their counts, kept between the passes.
  const uniq: Int32Array[] = new Array(n);
  const tfs: Uint16Array[] = new Array(n);
  let total = 0;
  for (let d = 0; d < n; d++) {
    const terms = termsOf(d);
    docLen[d] = terms.length;
    total += terms.length;
    const c = termCounts(terms);
    for (let i = 0; i < c.terms.length; i++) df[c.terms[i] as number] = (df[c.terms[i] as number] as number) + 1;
    uniq[d] = c.terms;
    tfs[d] = c.counts;
  }
  const termStart = new Uint32Array(vocab + 1);
  for (let t = 0; t < vocab; t++) termStart[t + 1] = (termStart[t] as number) + (df[t] as number);
  const postings = termStart[vocab] as number;
  const postDoc = new Uint32Array(postings);
  const postTf = new Uint16Array(postings);
  const fill = termStart.slice(0, vocab);
  for (let d = 0; d < n; d++) {
    const u = uniq[d] as Int32Array;
    const c = tfs[d] as Uint16Array;
    for (let i = 0; i < u.length; i++) {
      const at = (fill[u[i] as number] as number)++;
      postDoc[at] = d;
      postTf[at] = c[i] as number;
    }
  }
  return bm25Index({ n, avgdl: n ? total / n : 0, docLen, termStart, postDoc, postTf, k1, b });
}

/** The index of a text table's passages (row numbers are the table's rows). */
export function bm25IndexOf(passages: TextColumns, onProgress: (done: number, total: number) => void = () => undefined): Bm25Index {
  const n = passages.id.length;
  return buildBm25Index(n, (row) => {
    if (row % 5000 === 0) onProgress(row, n);
    return bm25Terms(textAt(passages, row));
  });
}
