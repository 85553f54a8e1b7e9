/**
 * Evaluation as the training worker runs it: the dataset read through `openEvalData` (token rows, a BM25 index in
 * files and texts fetched only for what is shown, for a collection of any size), kept open while the dataset is
 * unchanged; the student re-ranking candidates (and, for a dot student, retrieving from the whole collection); and
 * the periodic dev-set check during training. No worker API here: the worker calls this.
 */
import { getDataset } from '../data/store/catalog';
import { readTable } from '../data/store/dataset-db';
import type { QrelColumns } from '../data/store/schema';
import { isVectorStudent, type Student, type VectorStudent } from '../model/students/student';
import { tableCollection, type Collection, type TokenSource } from './collection';
import { dataKey, openEvalData, type EvalData } from './eval-data';
import { BM25_DEPTH, denseMetrics, devQueries, evaluateReranking, type EvalPhase, type EvalReport, type EvalTables, type Scorer } from './rerank';
import { encodeRows } from './retrieval';
import { scorePairs, type PairLengths } from './score';
import { tryStudent, type TryResult } from './try';
import { PassageVectors, weightsFingerprint } from './passage-vectors';
import { errorMessage } from '../util/errors';

/** A cross-encoder of the model library re-ranking the candidates as the teacher's row (release() frees it). */
export interface LibraryTeacher {
  name: string;
  scorer: Scorer;
  release(): void;
}

/** The student under evaluation: its model, the lengths it reads, and why there is none when there is none. */
export type StudentUnderTest = { model: Student; lengths: PairLengths; arch: string; weightsKey: string } | { none: string };

export interface DevEvalResult {
  step: number;
  mrr10: number;
  ndcg10: number;
  queries: number;
  note: string;
}

type ProgressWithRate = (phase: EvalPhase, done: number, total: number, rate: number) => void;

/** Scores (query, passage) rows with a student. */
function studentScorer(model: Student, lengths: PairLengths, tables: { queries: TokenSource; passages: TokenSource }): Scorer {
  return (q, p, onProgress) => scorePairs(model, tables, q, p, lengths, onProgress);
}

/**
 * Progress with each phase's own rate: the clock and the count start again when the phase changes, so a phase
 * that resumes part-way (a collection partly encoded before) is not credited with the earlier work.
 */
export function phaseProgress(onProgress: ProgressWithRate, now: () => number = () => performance.now()): (phase: EvalPhase, done: number, total: number) => void {
  let phase: EvalPhase | null = null;
  let started = 0;
  let base = 0;
  return (p, done, total) => {
    const t = now();
    if (p !== phase) {
      phase = p;
      started = t;
      base = done;
    }
    const seconds = (t - started) / 1000;
    onProgress(p, done, total, seconds > 0 ? (done - base) / seconds : 0);
  };
}

export class EvalSession {
  /** The last dataset version read, kept open while it is unchanged. */
  private data: EvalData | null = null;
  /** A dataset version being opened (its training files perhaps being built). */
  private opening: { key: string; data: Promise<EvalData> } | null = null;
  /** Its qrels, for "try the student" (small: a line per judged pair). */
  private qrels: { key: string; qrels: QrelColumns | null } | null = null;
  private readonly vectors = new PassageVectors();
  /** The weights' fingerprint of the last student state asked about (reading the weights back costs a sync). */
  private fingerprint: { model: Student; weightsKey: string; value: string } | null = null;

  /** A name for the student's weights as they are now: `weightsKey` changes whenever they do. */
  private async studentKey(model: VectorStudent, weightsKey: string, arch: string): Promise<string> {
    if (this.fingerprint?.model !== model || this.fingerprint.weightsKey !== weightsKey) {
      this.fingerprint = { model, weightsKey, value: await weightsFingerprint(model) };
    }
    return `${arch}:${this.fingerprint.value}`;
  }

  /**
   * The evaluation data of a dataset's current version, opened (the training files built if need be) once; teacher
   * jobs read the dataset through it too.
   */
  async openData(datasetId: string, onProgress?: (phase: EvalPhase, done: number, total: number) => void): Promise<EvalData> {
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    const key = dataKey(info);
    if (this.data?.key === key) return this.data;
    // Two asks at once share one opening: a second would build the same training files beside the first.
    if (this.opening?.key === key) return this.opening.data;
    // Another version's files are released first: an open handle keeps them from being removed.
    this.release();
    const data = openEvalData(info, onProgress).then((opened) => (this.data = opened));
    this.opening = { key, data };
    try {
      return await data;
    } finally {
      if (this.opening?.data === data) this.opening = null;
    }
  }

  /**
   * Each query's top `k` passages (ids, best first) by a dot student over the whole collection: passage vectors
   * encoded once per student state and kept, as the dense evaluation keeps them.
   */
  async denseRanking(datasetId: string, student: { model: VectorStudent; lengths: PairLengths; weightsKey: string; arch: string }, qids: readonly number[], k: number, onProgress: ProgressWithRate): Promise<Map<number, number[]>> {
    const progress = phaseProgress(onProgress);
    const data = await this.openData(datasetId, progress);
    const queryTokens = tableCollection(data.queries);
    const vectors = await encodeRows(student.model, queryTokens, Int32Array.from(qids, (q) => queryRow(queryTokens, q)), student.lengths.queryLength, undefined, student.lengths.forwardBatch);
    const key = await this.studentKey(student.model, student.weightsKey, student.arch);
    const found = await this.vectors.search(data, student.model, key, student.lengths, vectors, k, progress);
    return new Map(qids.map((q, i) => [q, Array.from(found.hits[i]?.rows ?? [], (r) => data.passages.idOf(r))]));
  }

  /** Releases the files the session holds open (a dataset about to be deleted, the worker closing). */
  release(): void {
    this.vectors.release();
    this.data?.close();
    this.data = null;
  }

  /**
   * Ranks the dataset's passages for a typed query with the student (`weightsKey` changes whenever its weights do,
   * which empties the cache of passage vectors).
   */
  async tryQuery(
    datasetId: string,
    text: string,
    student: { model: Student; lengths: PairLengths; weightsKey: string; arch: string },
    tokenize: (text: string) => Int32Array,
    onProgress: ProgressWithRate,
  ): Promise<TryResult> {
    const progress = phaseProgress(onProgress);
    const data = await this.openData(datasetId, progress);
    if (this.qrels?.key !== data.key) this.qrels = { key: data.key, qrels: await readTable(datasetId, 'qrels') };
    const qrels = this.qrels.qrels;
    return tryStudent(
      text,
      { passages: data.passages, queries: data.queries, qrels, teacherFor: async (qid) => (await data.teacher(new Set([qid]))).get(qid) },
      student.model,
      student.lengths,
      tokenize,
      async () => (await data.bm25(progress)).index,
      async (model, query, k) => {
        const key = await this.studentKey(model, student.weightsKey, student.arch);
        const found = await this.vectors.search(data, model, key, student.lengths, query, k, progress);
        return found.hits[0] ?? { rows: new Int32Array(0), scores: new Float32Array(0) };
      },
    );
  }

  /**
   * The periodic dev-set check during training: the student re-ranks the dataset's candidates for its dev queries
   * (the first run, or BM25's top 100). Datasets that cannot be evaluated get a note instead (`onNote`), once.
   * The BM25 index is built here, before the first step, when the dataset has none yet (`onStatus` says so).
   */
  async devEvaluator(
    datasetId: string,
    model: Student,
    lengths: PairLengths,
    onNote: (note: string) => void,
    onStatus: (text: string) => void = () => undefined,
  ): Promise<((step: number) => Promise<DevEvalResult | null>) | undefined> {
    const [qrels, candidates, info] = await Promise.all([readTable(datasetId, 'qrels'), readTable(datasetId, 'candidates'), getDataset(datasetId)]);
    if (!qrels) {
      onNote('this dataset has no qrels, so there is nothing to evaluate during training');
      return undefined;
    }
    const status = (phase: EvalPhase, done: number, total: number) => onStatus(`preparing the dev check (once per dataset): ${phase === 'preparing' ? 'token rows' : 'BM25 index'} ${Math.floor((100 * done) / Math.max(1, total))}%`);
    const data = await this.openData(datasetId, status);
    const { queries, passages } = data;
    if (devQueries({ queries, qrels }, 1).length === 0) {
      onNote('no query with a relevant passage in the qrels has its text in this dataset, so there is nothing to evaluate during training');
      return undefined;
    }
    const { index } = await data.bm25(status);
    // The dev check shows the student's row only: the teacher's scores are not read.
    const all: EvalTables = { passages, queries, qrels, candidates, teacher: new Map(), runs: info?.runs ?? [] };
    const scorer = studentScorer(model, lengths, { queries: tableCollection(queries), passages });
    return async (step) => {
      // A failed check must not end the training run: it is reported beside the chart instead.
      try {
        const report = await evaluateReranking(all, { threshold: 1, depth: 100 }, scorer, () => undefined, index);
        const row = report.rows.find((r) => r.system === 'student');
        return row ? { step, mrr10: row.mrr10, ndcg10: row.ndcg10, queries: row.queries, note: `re-ranking ${report.candidates}, top 100` } : null;
      } catch (err) {
        onNote(`the dev evaluation at step ${step} failed: ${errorMessage(err)}`);
        return null;
      }
    };
  }

  /** Evaluates the student (if any), BM25, the teacher and the imported runs on a dataset's dev queries. */
  async evaluate(
    datasetId: string,
    options: { threshold: number; depth: number; dense: boolean },
    student: StudentUnderTest,
    onProgress: ProgressWithRate,
    libraryTeacher?: (data: EvalData) => Promise<LibraryTeacher>,
  ): Promise<EvalReport> {
    const { threshold, depth, dense } = options;
    const progress = phaseProgress(onProgress);
    const data = await this.openData(datasetId, progress);
    const { info, passages, queries } = data;
    const [qrels, candidates] = await Promise.all([readTable(datasetId, 'qrels'), readTable(datasetId, 'candidates')]);
    if (!qrels) throw new Error(`dataset "${info.name}" needs passages, queries and qrels to be evaluated`);
    const queryTokens = tableCollection(queries);
    const scorer = 'none' in student ? null : studentScorer(student.model, student.lengths, { queries: queryTokens, passages });
    const bm25 = await data.bm25(progress);
    const dev = devQueries({ queries, qrels }, threshold);
    progress('teacher', 0, 1);
    // A library teacher scores the candidates itself: the stored scores are not read then.
    const teacher = libraryTeacher ? new Map() : await data.teacher(new Set(dev));
    const tables: EvalTables = { passages, queries, qrels, candidates, teacher, runs: info.runs ?? [] };
    const teacherModel = libraryTeacher ? await libraryTeacher(data) : undefined;
    let report: EvalReport;
    try {
      report = await evaluateReranking(tables, { threshold, depth }, scorer, progress, bm25.index, 'none' in student ? student.none : undefined, teacherModel);
    } finally {
      teacherModel?.release();
    }
    report.bm25IndexSeconds = bm25.seconds;
    if (!dense || 'none' in student) return report;
    if (!isVectorStudent(student.model)) {
      report.denseNote = `dense retrieval needs the dot student; this one is ${student.arch}, which scores pairs only`;
      return report;
    }
    const model = student.model;
    const queryVectors = await encodeRows(model, queryTokens, Int32Array.from(dev, (q) => queryRow(queryTokens, q)), student.lengths.queryLength, undefined, student.lengths.forwardBatch);
    const key = await this.studentKey(model, student.weightsKey, student.arch);
    const found = await this.vectors.search(data, model, key, student.lengths, queryVectors, BM25_DEPTH, progress);
    report.dense = {
      ...denseMetrics({ passages, qrels }, dev, found.hits, threshold),
      passages: passages.size,
      encoded: found.encoded,
      reused: found.reused,
      encodeSeconds: found.encodeSeconds,
      searchSeconds: found.searchSeconds,
    };
    return report;
  }
}

function queryRow(queries: Collection, qid: number): number {
  const row = queries.rowOf(qid);
  if (row < 0) throw new Error(`query ${qid} has no text in this dataset`);
  return row;
}
