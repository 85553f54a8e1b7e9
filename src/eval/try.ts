/**
 * "Try the student": a query a person types, ranked over the dataset's passages by the current student. A vector
 * student (dot) searches the whole collection exactly (its passage vectors are kept until the weights change);
 * the others re-rank BM25's top 100. Each hit carries the teacher's score and the qrels grade where the dataset
 * knows them for a query of the same text.
 */
import { padTokens, textAt, textColumns } from '../data/store/columns';
import type { QrelColumns, TextColumns } from '../data/store/schema';
import { isVectorStudent, type Student, type VectorStudent } from '../model/students/student';
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import { bm25Terms, topK, type Bm25Searchable } from './bm25';
import { tableCollection, type Collection } from './collection';
import { scorePairs, type PairLengths } from './score';

export const TRY_TOP = 10;
export const RERANK_DEPTH = 100;

export interface TryHit {
  pid: number;
  score: number;
  text: string;
  /** The teacher's score for this passage under a dataset query of the same text, if it has one. */
  teacher: number | null;
  /** The qrels grade for that query and passage, if judged. */
  grade: number | null;
}

export interface TryResult {
  query: string;
  method: 'dense' | 'rerank';
  /** The dataset query of the same text, if there is one (its teacher scores and qrels are shown). */
  qid: number | null;
  hits: TryHit[];
  /** Passages scored for this query, and how long it took (encoding the collection included, when it was needed). */
  scored: number;
  seconds: number;
}

export interface TryTables {
  passages: Collection;
  queries: TextColumns;
  qrels: QrelColumns | null;
  /** The teacher's scores of one query's passages, by passage id. */
  teacherFor(qid: number): Promise<Map<number, number> | undefined>;
}

const normal = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The dataset query with this text (case and spacing aside), if any. */
export function queryWithText(queries: TextColumns, text: string): number | null {
  const wanted = normal(text);
  for (let r = 0; r < queries.id.length; r++) if (normal(textAt(queries, r)) === wanted) return queries.id[r] as number;
  return null;
}

export async function tryStudent(
  text: string,
  tables: TryTables,
  model: Student,
  lengths: PairLengths,
  tokenize: (text: string) => Int32Array,
  bm25: () => Promise<Bm25Searchable>,
  /** The passages nearest to a query vector (the collection encoded first, where this student has no vectors). */
  dense: (model: VectorStudent, query: Float32Array, k: number) => Promise<{ rows: Int32Array; scores: Float32Array }>,
): Promise<TryResult> {
  const started = performance.now();
  if (text.trim() === '') throw new Error('type a query to rank the passages for');
  const query = textColumns([{ id: -1, text }], tokenize);
  if (query.tokens.length === 0) throw new Error(`the query "${text}" has no token the dataset's tokenizer knows`);
  let rows: Int32Array;
  let scores: Float32Array;
  let method: TryResult['method'];
  let scored: number;
  if (isVectorStudent(model)) {
    method = 'dense';
    const qv = tf.tidy(() => model.embed(tokenBatch(padTokens(query, [0], lengths.queryLength), 1, lengths.queryLength)));
    // GPU→CPU sync: one query vector.
    const q = Float32Array.from(await qv.data());
    qv.dispose();
    const hit = await dense(model, q, TRY_TOP);
    rows = hit.rows;
    scores = hit.scores;
    scored = tables.passages.size;
  } else {
    method = 'rerank';
    const candidates = topK(await bm25(), bm25Terms(text), RERANK_DEPTH).rows;
    const pairs = await scorePairs(model, { queries: tableCollection(query), passages: tables.passages }, new Int32Array(candidates.length), candidates, lengths);
    const order = Array.from(pairs.keys()).sort((a, b) => (pairs[b] as number) - (pairs[a] as number)).slice(0, TRY_TOP);
    rows = Int32Array.from(order, (i) => candidates[i] as number);
    scores = Float32Array.from(order, (i) => pairs[i] as number);
    scored = candidates.length;
  }
  const qid = queryWithText(tables.queries, text);
  const teacher = qid === null ? undefined : await tables.teacherFor(qid);
  const grades = new Map<number, number>();
  if (qid !== null && tables.qrels) for (let i = 0; i < tables.qrels.qid.length; i++) if (tables.qrels.qid[i] === qid) grades.set(tables.qrels.pid[i] as number, tables.qrels.grade[i] as number);
  const texts = await tables.passages.texts(Array.from(rows));
  const hits: TryHit[] = Array.from(rows, (row, i) => {
    const pid = tables.passages.idOf(row);
    return { pid, score: scores[i] as number, text: texts[i] as string, teacher: teacher?.get(pid) ?? null, grade: grades.get(pid) ?? null };
  });
  return { query: text, method, qid, hits, scored, seconds: (performance.now() - started) / 1000 };
}
