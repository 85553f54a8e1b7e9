/**
 * Evaluation of a dataset's dev queries (those with a relevant document in the qrels and a query text):
 * BM25 over the whole collection, the student re-ranking a candidate list (the first imported run, or BM25's top
 * `depth` when there is none), the teacher re-ranking the same candidates where it scored them, and every imported
 * run ranked by its own scores. Pure orchestration: the student's scorer is passed in, so tests need no GPU.
 */
import { rowIndex, textAt } from '../data/store/columns';
import type { CandidateColumns, QrelColumns, TextColumns, TripleColumns } from '../data/store/schema';
import { bm25Terms, topK, type Bm25Searchable } from './bm25';
import type { Collection } from './collection';
import { evaluateRun, qrelsFrom, rank, round4, type Qrels, type Run, type RunMetrics } from './metrics';

export interface EvalTables {
  passages: Collection;
  queries: TextColumns;
  qrels: QrelColumns;
  candidates: CandidateColumns | null;
  /** The teacher's scores of the dev queries' passages (those of other queries are not needed). */
  teacher: TeacherScores;
  runs: readonly string[];
}

/** Teacher scores by query id, then passage id. */
export type TeacherScores = Map<number, Map<number, number>>;

export interface EvalOptions {
  /** Grade at which a document counts as relevant for MRR, recall and MAP. */
  threshold: number;
  /** Candidates per query that the student and the teacher re-rank. */
  depth: number;
}

export const BM25_DEPTH = 1000;
const PER_QUERY_LIMIT = 500;
const TOP_SHOWN = 10;

export type Scorer = (queryRows: Int32Array, passageRows: Int32Array, onProgress: (done: number, total: number) => void) => Promise<Float32Array>;
export type EvalPhase = 'preparing' | 'indexing' | 'merging' | 'teacher' | 'bm25' | 'scoring' | 'metrics' | 'encoding' | 'searching';

export interface SystemRow {
  /** `student`, `bm25`, `teacher`, or `run:` and the run file's name. */
  system: string;
  mrr10: number;
  ndcg10: number;
  recall100: number;
  recall1000: number;
  map: number;
  queries: number;
  note: string;
}

export interface PerQueryRow {
  qid: number;
  query: string;
  /** Per system: RR@10 and nDCG@10 for this query. */
  values: Record<string, { rr10: number; ndcg10: number }>;
  /** The first system's top documents, with their grades. */
  top: { pid: number; grade: number; text: string }[];
}

export interface EvalReport {
  threshold: number;
  depth: number;
  /** Where the re-ranked candidates came from. */
  candidates: string;
  devQueries: number;
  rows: SystemRow[];
  perQuery: PerQueryRow[];
  /** Whose top documents the per-query rows show. */
  topSystem: string;
  /** Why the student has no row, when it has none. */
  studentNote: string;
  /** What the student was (run, steps, start), for keeping its row beside later students'. */
  studentLabel?: string;
  studentPairs: number;
  studentSeconds: number;
  bm25SecondsPerQuery: number;
  /** Time to build the BM25 index for this evaluation (0 when an earlier one was reused). */
  bm25IndexSeconds?: number;
  /** Dense retrieval with the student over the whole collection, when asked for. */
  dense?: DenseResult;
  /** Why dense retrieval was asked for and not done. */
  denseNote?: string;
}

export interface DenseResult {
  mrr10: number;
  ndcg10: number;
  recall100: number;
  recall1000: number;
  queries: number;
  passages: number;
  /** Passages encoded by this evaluation, and those whose vectors an earlier one (finished or cut off) left. */
  encoded: number;
  reused: number;
  encodeSeconds: number;
  searchSeconds: number;
}

/** Dev queries as evaluateReranking chooses them: with query text and a relevant document. */
export function devQueries(t: Pick<EvalTables, 'queries' | 'qrels'>, threshold: number): number[] {
  const qrels = qrelsFrom(t.qrels);
  const qRow = rowIndex(t.queries.id);
  return [...qrels.keys()].filter((q) => qRow.has(q) && hasRelevant(qrels.get(q), threshold)).sort((a, b) => a - b);
}

/** Metrics of a dense run given as passage rows per dev query. */
export function denseMetrics(t: Pick<EvalTables, 'passages' | 'qrels'>, dev: readonly number[], hits: readonly { rows: Int32Array; scores: Float32Array }[], threshold: number): Pick<DenseResult, 'mrr10' | 'ndcg10' | 'recall100' | 'recall1000' | 'queries'> {
  const run: Run = new Map(dev.map((q, i) => [q, { pids: Array.from((hits[i] as { rows: Int32Array }).rows, (r) => t.passages.idOf(r)), scores: (hits[i] as { scores: Float32Array }).scores }]));
  const m = evaluateRun(run, qrelsFrom(t.qrels), threshold);
  return { mrr10: round4(m.mrr10), ndcg10: round4(m.ndcg10), recall100: round4(m.recall100), recall1000: round4(m.recall1000), queries: m.queries };
}

function hasRelevant(judged: Map<number, number> | undefined, threshold: number): boolean {
  if (!judged) return false;
  for (const g of judged.values()) if (g >= threshold) return true;
  return false;
}

/** Candidates of one run, per query, as stored (ranking is by score, as trec_eval ranks). */
export function runLists(c: CandidateColumns, run: number): Map<number, { pids: number[]; scores: number[] }> {
  const lists = new Map<number, { pids: number[]; scores: number[] }>();
  for (let i = 0; i < c.qid.length; i++) {
    if ((c.run?.[i] ?? 0) !== run) continue;
    const q = c.qid[i] as number;
    let l = lists.get(q);
    if (!l) lists.set(q, (l = { pids: [], scores: [] }));
    l.pids.push(c.pid[i] as number);
    l.scores.push(c.score[i] as number);
  }
  return lists;
}

/**
 * Adds the teacher scores of `triples` (one chunk of the table, visited in order) to `out`, for the queries in
 * `wanted` only when it is given; a (query, passage) pair keeps the first score seen.
 */
export function addTeacherScores(out: TeacherScores, triples: TripleColumns, wanted?: ReadonlySet<number>): TeacherScores {
  const put = (q: number, p: number, s: number) => {
    let m = out.get(q);
    if (!m) out.set(q, (m = new Map()));
    if (!m.has(p)) m.set(p, s);
  };
  for (let i = 0; i < triples.qid.length; i++) {
    const q = triples.qid[i] as number;
    if (wanted && !wanted.has(q)) continue;
    put(q, triples.pos[i] as number, triples.posScore[i] as number);
    put(q, triples.neg[i] as number, triples.negScore[i] as number);
  }
  return out;
}

/** The (query row, passage row) pairs of every candidate list, in order. */
function candidateRows(candidates: Map<number, number[]>, qRow: Map<number, number>, passages: Collection): { qs: Int32Array; ps: Int32Array } {
  const qs: number[] = [];
  const ps: number[] = [];
  for (const [q, pids] of candidates) for (const p of pids) {
    qs.push(qRow.get(q) as number);
    ps.push(passages.rowOf(p));
  }
  return { qs: Int32Array.from(qs), ps: Int32Array.from(ps) };
}

/** Scores in candidateRows' order as a run. */
function runOf(candidates: Map<number, number[]>, scores: Float32Array): Run {
  const run: Run = new Map();
  let at = 0;
  for (const [q, pids] of candidates) {
    run.set(q, { pids, scores: scores.subarray(at, at + pids.length) });
    at += pids.length;
  }
  return run;
}

function row(system: string, m: RunMetrics, note = ''): SystemRow {
  const dup = m.duplicates ? `; ${m.duplicates} repeated documents dropped (trec_eval would refuse this run)` : '';
  return { system, mrr10: round4(m.mrr10), ndcg10: round4(m.ndcg10), recall100: round4(m.recall100), recall1000: round4(m.recall1000), map: round4(m.map), queries: m.queries, note: note + dup };
}

export async function evaluateReranking(
  t: EvalTables,
  opts: EvalOptions,
  scorer: Scorer | null,
  onProgress: (phase: EvalPhase, done: number, total: number) => void,
  bm25: Bm25Searchable,
  studentNote = 'no student has been trained in this session',
  libraryTeacher?: { name: string; scorer: Scorer },
): Promise<EvalReport> {
  const qrels: Qrels = qrelsFrom(t.qrels);
  const qRow = rowIndex(t.queries.id);
  const dev = devQueries(t, opts.threshold);
  if (dev.length === 0) throw new Error('no dev queries: the dataset needs qrels with a relevant passage for queries whose text it holds');

  const bm25Run: Run = new Map();
  const bm25Started = performance.now();
  const acc = new Float32Array(bm25.n);
  dev.forEach((q, i) => {
    const hits = topK(bm25, bm25Terms(textAt(t.queries, qRow.get(q) as number)), BM25_DEPTH, acc);
    bm25Run.set(q, { pids: Array.from(hits.rows, (r) => t.passages.idOf(r)), scores: hits.scores });
    if (i % 20 === 0) onProgress('bm25', i, dev.length);
  });
  const bm25SecondsPerQuery = (performance.now() - bm25Started) / 1000 / dev.length;

  // The candidate lists the student and the teacher re-rank.
  const firstRun = t.candidates && t.runs.length > 0 ? runLists(t.candidates, 0) : null;
  const source = firstRun ? `run:${t.runs[0]}` : 'bm25';
  const candidates = new Map<number, number[]>();
  for (const q of dev) {
    let pids: number[];
    if (firstRun) {
      const l = firstRun.get(q);
      if (!l) continue;
      // The run's own order, by score as trec_eval ranks it (its rank column is not trusted).
      pids = rank(l.pids, l.scores);
    } else {
      pids = Array.from((bm25Run.get(q) as { pids: ArrayLike<number> }).pids);
    }
    candidates.set(q, pids.filter((p) => t.passages.rowOf(p) >= 0).slice(0, opts.depth));
  }

  const rows: SystemRow[] = [];
  const results = new Map<string, RunMetrics>();
  // Whose top documents the per-query view shows: the student's when there is one, else BM25's.
  let shown: { system: string; run: Run } | null = null;
  let studentPairs = 0;
  let studentSeconds = 0;
  if (scorer) {
    const { qs, ps } = candidateRows(candidates, qRow, t.passages);
    const started = performance.now();
    const scores = await scorer(qs, ps, (d, n) => onProgress('scoring', d, n));
    const broken = scores.reduce((n, x) => (Number.isFinite(x) ? n : n + 1), 0);
    studentSeconds = (performance.now() - started) / 1000;
    studentPairs = qs.length;
    const studentRun = runOf(candidates, scores);
    const m = evaluateRun(studentRun, qrels, opts.threshold);
    results.set('student', m);
    shown = { system: 'student', run: studentRun };
    rows.push(row('student', m, `re-ranks ${source}, top ${opts.depth}${broken ? `; ${broken} scores were not finite (a diverged student?)` : ''}`));
  }
  onProgress('metrics', 0, 1);
  const bm25Metrics = evaluateRun(bm25Run, qrels, opts.threshold);
  results.set('bm25', bm25Metrics);
  shown ??= { system: 'bm25', run: bm25Run };
  rows.push(row('bm25', bm25Metrics, `k1 0.9, b 0.4, top ${BM25_DEPTH} of the collection`));

  if (libraryTeacher) {
    // A cross-encoder of the library scores every candidate: the ceiling a student distilled from it aims at.
    const { qs, ps } = candidateRows(candidates, qRow, t.passages);
    const scores = await libraryTeacher.scorer(qs, ps, (d, n) => onProgress('teacher', d, n));
    const m = evaluateRun(runOf(candidates, scores), qrels, opts.threshold);
    results.set('teacher', m);
    rows.push(row('teacher', m, `${libraryTeacher.name} (cross-encoder from the model library) re-ranks ${source}, top ${opts.depth}`));
  } else {
    const teacher = t.teacher;
    const teacherRun: Run = new Map();
    let scored = 0;
    let total = 0;
    for (const [q, pids] of candidates) {
      const known = teacher.get(q);
      total += pids.length;
      if (!known) continue;
      const scores = pids.map((p) => known.get(p) ?? -Infinity);
      const hits = scores.filter((s) => s > -Infinity).length;
      if (hits === 0) continue;
      scored += hits;
      teacherRun.set(q, { pids, scores });
    }
    if (teacherRun.size > 0) {
      const m = evaluateRun(teacherRun, qrels, opts.threshold);
      results.set('teacher', m);
      rows.push(row('teacher', m, `teacher scores for ${scored} of ${total} candidates; unscored ones rank last`));
    }
  }

  if (t.candidates) {
    t.runs.forEach((name, i) => {
      const lists = runLists(t.candidates as CandidateColumns, i);
      const run: Run = new Map([...lists].map(([q, l]) => [q, { pids: l.pids, scores: l.scores }]));
      const m = evaluateRun(run, qrels, opts.threshold);
      results.set(`run:${name}`, m);
      rows.push(row(`run:${name}`, m, 'ranked by its own scores'));
    });
  }

  // The shown system's top documents per query, their texts read together (from storage, for a large collection).
  const shownRun = shown.run;
  const tops = dev.slice(0, PER_QUERY_LIMIT).map((q) => {
    const entry = shownRun.get(q);
    return entry ? rank(entry.pids, entry.scores).slice(0, TOP_SHOWN) : [];
  });
  const shownRows = [...new Set(tops.flat().map((pid) => t.passages.rowOf(pid)).filter((r) => r >= 0))];
  const texts = new Map((await t.passages.texts(shownRows)).map((text, i) => [shownRows[i] as number, text.slice(0, 400)]));
  const perQuery: PerQueryRow[] = dev.slice(0, PER_QUERY_LIMIT).map((q, i) => {
    const values: PerQueryRow['values'] = {};
    for (const [system, m] of results) {
      const v = m.perQuery.find((p) => p.qid === q);
      if (v) values[system] = { rr10: round4(v.rr10), ndcg10: round4(v.ndcg10) };
    }
    const judged = qrels.get(q) as Map<number, number>;
    const top = (tops[i] as number[]).map((pid) => ({ pid, grade: judged.get(pid) ?? 0, text: texts.get(t.passages.rowOf(pid)) ?? '' }));
    return { qid: q, query: textAt(t.queries, qRow.get(q) as number), values, top };
  });
  return {
    topSystem: shown.system,
    threshold: opts.threshold,
    depth: opts.depth,
    candidates: source,
    devQueries: dev.length,
    rows,
    perQuery,
    studentNote: scorer ? '' : studentNote,
    studentPairs,
    studentSeconds,
    bm25SecondsPerQuery,
  };
}
