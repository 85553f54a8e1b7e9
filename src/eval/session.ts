/**
 * Evaluation as the training worker runs it: the dataset's tables read from storage, a BM25 index kept while the
 * dataset is unchanged, the student re-ranking candidates (and, for a dot student, retrieving from the whole
 * collection), and the periodic dev-set check during training. No worker API here: the worker calls this.
 */
import { getDataset } from '../data/store/catalog';
import { readTable } from '../data/store/dataset-db';
import { rowIndex } from '../data/store/columns';
import type { TextColumns, TripleColumns } from '../data/store/schema';
import { isVectorStudent, type Student } from '../model/students/student';
import type { Bm25Index } from './bm25';
import { BM25_DEPTH, bm25IndexOf, denseMetrics, devQueries, evaluateReranking, type EvalPhase, type EvalReport, type Scorer } from './rerank';
import { encodeRows, searchTopK } from './retrieval';
import { scorePairs, type PairLengths } from './score';
import { PassageVectorCache, tryStudent, type TryResult, type TryTables } from './try';

/** The student under evaluation: its model, the lengths it reads, and why there is none when there is none. */
export type StudentUnderTest = { model: Student; lengths: PairLengths; arch: string } | { none: string };

export interface DevEvalResult {
  step: number;
  mrr10: number;
  ndcg10: number;
  queries: number;
  note: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Scores (query, passage) rows of these tables with a student. */
function studentScorer(model: Student, lengths: PairLengths, tables: { queries: TextColumns; passages: TextColumns }): Scorer {
  return (q, p, onProgress) => scorePairs(model, tables, q, p, lengths, onProgress);
}

export class EvalSession {
  /** BM25 index of the last dataset version evaluated, kept while the dataset is unchanged. */
  private bm25Cache: { key: string; index: Bm25Index } | null = null;
  /** The tables "try the student" reads, kept while the dataset is unchanged: one query must not reread them. */
  private tryTables: { key: string; tables: TryTables } | null = null;
  private readonly vectors = new PassageVectorCache();

  /**
   * Ranks the dataset's passages for a typed query with the student (`weightsKey` changes whenever its weights do,
   * which empties the cache of passage vectors).
   */
  async tryQuery(
    datasetId: string,
    text: string,
    student: { model: Student; lengths: PairLengths; weightsKey: string },
    tokenize: (text: string) => Int32Array,
    onProgress: (phase: EvalPhase, done: number, total: number, rate: number) => void,
  ): Promise<TryResult> {
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    const key = `${datasetId}@${info.updatedAt}`;
    if (this.tryTables?.key !== key) {
      this.tryTables = null;
      const [passages, queries, qrels, triples] = await Promise.all([readTable(datasetId, 'passages'), readTable(datasetId, 'queries'), readTable(datasetId, 'qrels'), readTable(datasetId, 'triples')]);
      if (!passages || !queries) throw new Error(`dataset "${info.name}" has no passages to rank`);
      this.tryTables = { key, tables: { passages, queries, qrels, triples } };
    }
    const tables = this.tryTables.tables;
    const started = performance.now();
    const progress = (phase: EvalPhase) => (done: number, total: number) => {
      const seconds = (performance.now() - started) / 1000;
      onProgress(phase, done, total, seconds > 0 ? done / seconds : 0);
    };
    return tryStudent(
      text,
      tables,
      student.model,
      student.lengths,
      tokenize,
      () => this.bm25For(datasetId, info.updatedAt, tables.passages, progress('indexing')).index,
      (model) => this.vectors.get(`${key}|${student.weightsKey}`, model, tables.passages, student.lengths.passageLength, progress('encoding')),
    );
  }

  /** The BM25 index of one version of a dataset, built once and reused until the dataset changes. */
  private bm25For(datasetId: string, version: number, passages: TextColumns, onProgress?: (done: number, total: number) => void): { index: Bm25Index; seconds: number } {
    const key = `${datasetId}@${version}`;
    if (this.bm25Cache?.key === key) return { index: this.bm25Cache.index, seconds: 0 };
    this.bm25Cache = null;
    const started = performance.now();
    this.bm25Cache = { key, index: bm25IndexOf(passages, onProgress) };
    return { index: this.bm25Cache.index, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * The periodic dev-set check during training: the student re-ranks the dataset's candidates for its dev queries
   * (the first run, or BM25's top 100). Datasets that cannot be evaluated get a note instead (`onNote`), once.
   */
  async devEvaluator(
    datasetId: string,
    version: number,
    tables: { passages: TextColumns; queries: TextColumns; triples: TripleColumns },
    model: Student,
    lengths: PairLengths,
    onNote: (note: string) => void,
  ): Promise<((step: number) => Promise<DevEvalResult | null>) | undefined> {
    const { passages, queries, triples } = tables;
    const [qrels, candidates, info] = await Promise.all([readTable(datasetId, 'qrels'), readTable(datasetId, 'candidates'), getDataset(datasetId)]);
    if (!qrels) {
      onNote('this dataset has no qrels, so there is nothing to evaluate during training');
      return undefined;
    }
    if (devQueries({ queries, qrels }, 1).length === 0) {
      onNote('no query with a relevant passage in the qrels has its text in this dataset, so there is nothing to evaluate during training');
      return undefined;
    }
    const { index } = this.bm25For(datasetId, version, passages);
    const all = { passages, queries, qrels, candidates, triples, runs: info?.runs ?? [] };
    const scorer = studentScorer(model, lengths, { queries, passages });
    return async (step) => {
      // A failed check must not end the training run: it is reported beside the chart instead.
      try {
        const report = await evaluateReranking(all, { threshold: 1, depth: 100 }, scorer, () => undefined, index);
        const row = report.rows.find((r) => r.system === 'student');
        return row ? { step, mrr10: row.mrr10, ndcg10: row.ndcg10, queries: row.queries, note: `re-ranking ${report.candidates}, top 100` } : null;
      } catch (err) {
        onNote(`the dev evaluation at step ${step} failed: ${errorText(err)}`);
        return null;
      }
    };
  }

  /** Evaluates the student (if any), BM25, the teacher and the imported runs on a dataset's dev queries. */
  async evaluate(
    datasetId: string,
    options: { threshold: number; depth: number; dense: boolean },
    student: StudentUnderTest,
    onProgress: (phase: EvalPhase, done: number, total: number, rate: number) => void,
  ): Promise<EvalReport> {
    const { threshold, depth, dense } = options;
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    const [passages, queries, qrels, candidates, triples] = await Promise.all([
      readTable(datasetId, 'passages'),
      readTable(datasetId, 'queries'),
      readTable(datasetId, 'qrels'),
      readTable(datasetId, 'candidates'),
      readTable(datasetId, 'triples'),
    ]);
    if (!passages || !queries || !qrels) throw new Error(`dataset "${info.name}" needs passages, queries and qrels to be evaluated`);
    const scorer = 'none' in student ? null : studentScorer(student.model, student.lengths, { queries, passages });
    const started = performance.now();
    const progress = (phase: EvalPhase, done: number, total: number) => {
      const seconds = (performance.now() - started) / 1000;
      onProgress(phase, done, total, seconds > 0 ? done / seconds : 0);
    };
    const bm25 = this.bm25For(datasetId, info.updatedAt, passages, (d, n) => progress('indexing', d, n));
    const tables = { passages, queries, qrels, candidates, triples, runs: info.runs ?? [] };
    const report = await evaluateReranking(tables, { threshold, depth }, scorer, progress, bm25.index, 'none' in student ? student.none : undefined);
    report.bm25IndexSeconds = bm25.seconds;
    if (!dense || 'none' in student) return report;
    if (!isVectorStudent(student.model)) {
      report.denseNote = `dense retrieval needs the dot student; this one is ${student.arch}, which scores pairs only`;
      return report;
    }
    const model = student.model;
    const all = Int32Array.from({ length: passages.id.length }, (_, i) => i);
    const t0 = performance.now();
    const vectors = await encodeRows(model, passages, all, student.lengths.passageLength, (d, n) => progress('encoding', d, n));
    const encodeSeconds = (performance.now() - t0) / 1000;
    const dev = devQueries({ queries, qrels }, threshold);
    const qRow = rowIndex(queries.id);
    const queryVectors = await encodeRows(model, queries, Int32Array.from(dev, (q) => qRow.get(q) as number), student.lengths.queryLength);
    const t1 = performance.now();
    progress('searching', 0, 1);
    const hits = await searchTopK(queryVectors, vectors, model.vectorSize, BM25_DEPTH);
    const searchSeconds = (performance.now() - t1) / 1000;
    report.dense = { ...denseMetrics({ passages, qrels }, dev, hits, threshold), passages: all.length, encodeSeconds, searchSeconds };
    return report;
  }
}
