/**
 * The whole-table training source, kept only as the reference the file path (stored-data.ts) is tested against:
 * triples resolved against id maps of the whole tables, teacher scores standardised over the resolved arrays, and
 * batches padded straight from the tables' token columns. No product code imports this module.
 */
import { padTokens, rowIndex } from '../data/store/columns';
import { teacherMoments, type Batch, type TrainingData, type TrainingTables } from './batches';

/** Triples resolved to row numbers of the text tables; triples naming unknown ids are counted, not used. */
export interface ResolvedTriples {
  queryRow: Int32Array;
  posRow: Int32Array;
  negRow: Int32Array;
  posScore: Float32Array;
  negScore: Float32Array;
  qid: Int32Array;
  /** Triples dropped because a query or passage id was not in the dataset. */
  unresolved: number;
}

/** A repeated id resolves to its last row (rowIndex keeps the last), as the training files' id index does. */
export function resolveTriples(t: TrainingTables): ResolvedTriples {
  const qRows = rowIndex(t.queries.id);
  const pRows = rowIndex(t.passages.id);
  const n = t.triples.qid.length;
  const keep: number[] = [];
  const rows: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const q = qRows.get(t.triples.qid[i] as number);
    const p = pRows.get(t.triples.pos[i] as number);
    const m = pRows.get(t.triples.neg[i] as number);
    if (q === undefined || p === undefined || m === undefined) continue;
    keep.push(i);
    rows.push([q, p, m]);
  }
  const pick = <A extends Int32Array | Float32Array>(src: A): A => {
    const out = new (src.constructor as new (n: number) => A)(keep.length);
    keep.forEach((i, j) => (out[j] = src[i] as number));
    return out;
  };
  return {
    queryRow: Int32Array.from(rows, (r) => r[0]),
    posRow: Int32Array.from(rows, (r) => r[1]),
    negRow: Int32Array.from(rows, (r) => r[2]),
    posScore: pick(t.triples.posScore),
    negScore: pick(t.triples.negScore),
    qid: pick(t.triples.qid),
    unresolved: n - keep.length,
  };
}

/** Teacher scores z-scored over all training triples (positives and negatives together). */
export function standardized(t: ResolvedTriples): ResolvedTriples {
  const { mean, std } = teacherMoments((visit) => visit(t.posScore, t.negScore));
  return { ...t, posScore: t.posScore.map((x) => (x - mean) / std), negScore: t.negScore.map((x) => (x - mean) / std) };
}

function makeBatch(tables: TrainingTables, triples: ResolvedTriples, indices: ArrayLike<number>, queryLength: number, passageLength: number): Batch {
  const idx = Array.from(indices);
  return {
    size: idx.length,
    query: padTokens(tables.queries, idx.map((i) => triples.queryRow[i] as number), queryLength),
    pos: padTokens(tables.passages, idx.map((i) => triples.posRow[i] as number), passageLength),
    neg: padTokens(tables.passages, idx.map((i) => triples.negRow[i] as number), passageLength),
    teacherPos: Float32Array.from(idx, (i) => triples.posScore[i] as number),
    teacherNeg: Float32Array.from(idx, (i) => triples.negScore[i] as number),
  };
}

/** Whole tables in memory as a training source: what `storedData` must give, batch for batch. */
export function tableData(tables: TrainingTables, standardize: boolean): TrainingData {
  const resolved = resolveTriples(tables);
  const triples = standardize ? standardized(resolved) : resolved;
  return {
    size: triples.qid.length,
    unresolved: triples.unresolved,
    queryIds: tables.queries.id,
    scanQueryRows: (visit) => visit(triples.queryRow, 0),
    batch: (indices, queryLength, passageLength) => makeBatch(tables, triples, indices, queryLength, passageLength),
    close: () => undefined,
  };
}
