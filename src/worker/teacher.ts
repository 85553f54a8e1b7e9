/**
 * Teacher triples for a dataset without a teacher file: cross-encoders of the model library score (query, positive)
 * and (query, negative) pairs on the device, the negatives mined from BM25, the current dot student or an imported
 * run, and the result becomes a new dataset (teacher/job.ts keeps the work in files, so a reload resumes it). Also
 * the library cross-encoder that evaluation ranks with as the teacher's row.
 */
import { textAt, rowIndex } from '../data/store/columns';
import { getDataset } from '../data/store/catalog';
import { forEachChunk, readTable } from '../data/store/dataset-db';
import { loadModel } from '../data/store/models';
import { deriveWithTriples, EmptyTriplesError } from '../data/derive';
import type { TeacherProvenance } from '../data/provenance';
import { NUMERIC_CHUNK_ROWS } from '../data/builder';
import { bm25Terms, topK } from '../eval/bm25';
import type { EvalData } from '../eval/eval-data';
import { datasetFolder } from '../data/rows/dataset-files';
import { rank } from '../eval/metrics';
import { runLists } from '../eval/rerank';
import type { LibraryTeacher } from '../eval/session';
import { FUSED_KERNELS } from '../model/kernels';
import { isVectorStudent } from '../model/students/student';
import { evalLengthsOf } from '../config/run-config';
import { tokenizerForVocab } from '../text/tokenizers';
import { createJob, jobTriples, JobCancelled, planJob, readJob, removeJob, sameJob, writeJob, SCORE_BLOCK, scoreJob, type JobTotals, type TeacherPhase, type TeacherResult, type PairScorer, type TeacherJobSpec } from '../teacher/job';
import { crossEncoderScorer, pairBudgetFor, type TeacherScorer } from '../teacher/scorer';
import { teacherPassageRows } from '../teacher/tokens';
import { selectBackend } from '../train/backend';
import { startOf } from '../train/models';
import { newId } from '../util/ids';
import type { WorkerContext } from './prepare';
import { weightsKey } from './evaluation';


/**
 * A library cross-encoder as a scorer of (query row, passage row) pairs of `data`: the dataset's own passage rows
 * when they are in the teacher's vocabulary, else rows made for it once (teacher/tokens.ts).
 */
export async function libraryCrossEncoder(data: EvalData, modelId: string, lengths: { maxLength: number; maxQueryTokens: number }, onTokenizing: (done: number, total: number) => void, signal?: { cancelled: boolean }): Promise<TeacherScorer & { name: string }> {
  const stored = await loadModel(modelId);
  if (!stored) throw new Error(`model ${modelId} is no longer in the model library`);
  if (stored.kind !== 'cross-encoder') throw new Error(`${stored.name} is a ${stored.kind}, not a cross-encoder: a teacher scores a query and a passage together (a *ForSequenceClassification folder with one label)`);
  const start = startOf(stored);
  const tokenizer = tokenizerForVocab(stored.vocab);
  const budget = pairBudgetFor(lengths.maxLength, stored.dims.maxPositions);
  const { info, folder } = data;
  const passages =
    tokenizer.id === info.tokenizer
      ? data.passages
      : await teacherPassageRows(folder, (table, visit) => forEachChunk(info.id, table, visit), info.counts.passages, tokenizer, budget, onTokenizing, signal).then((rows) => ({ padded: (r: ArrayLike<number>, length: number) => rows.gather(r, length), close: () => rows.close() }));
  const scorer = crossEncoderScorer(start, tokenizer, { ...lengths, kernels: FUSED_KERNELS }, (row) => textAt(data.queries, row), passages);
  return {
    ...scorer,
    name: stored.name,
    release: () => {
      scorer.release();
      if ('close' in passages) passages.close();
    },
  };
}

export class TeacherService {
  private signal: { cancelled: boolean } | null = null;

  constructor(private readonly ctx: WorkerContext) {}

  /** Stops the running job after the block it is scoring (its files stay: it can be resumed). */
  cancel(): void {
    if (this.signal) this.signal.cancelled = true;
  }

  /** Removes a dataset's unfinished job. */
  async discard(datasetId: string): Promise<void> {
    if (this.signal) throw new Error('teacher triples are being made; cancel them first');
    const info = await getDataset(datasetId);
    if (info) await removeJob(await datasetFolder(info));
  }

  /** The library teacher evaluation ranks with: `maxLength` tokens a pair. */
  evaluationTeacher(modelId: string, lengths: { maxLength: number; maxQueryTokens: number }, onTokenizing: (done: number, total: number) => void): (data: EvalData) => Promise<LibraryTeacher> {
    return async (data) => {
      const t = await libraryCrossEncoder(data, modelId, lengths, onTokenizing);
      return { name: t.name, scorer: t.score, release: t.release };
    };
  }

  private started = 0;
  private phase: TeacherPhase | null = null;
  private base = 0;

  /** Progress with the rate of the phase under way (a resumed phase counts only what this session did). */
  private progress(phase: TeacherPhase, done: number, total: number): void {
    const now = performance.now();
    if (phase !== this.phase) {
      this.phase = phase;
      this.started = now;
      this.base = done;
    }
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? (done - this.base) / seconds : 0;
    this.ctx.emit({ type: 'teacher-progress', phase, done, total, rate });
  }

  /**
   * Makes teacher triples for a dataset by `spec`, resuming the job its folder holds when that job has the same
   * spec on the same dataset version; the new dataset is returned once it is ready.
   */
  async make(datasetId: string, spec: TeacherJobSpec, blockPairs = SCORE_BLOCK): Promise<TeacherResult> {
    const current = this.ctx.holder.beginTeacher();
    const signal = { cancelled: false };
    this.signal = signal;
    this.phase = null;
    try {
      const info = await getDataset(datasetId);
      if (!info) throw new Error(`dataset ${datasetId} does not exist`);
      if (spec.datasetId !== datasetId) throw new Error(`the job is for dataset ${spec.datasetId}, not ${datasetId}`);
      const data = await this.ctx.evals.openData(datasetId, (_p, done, total) => this.progress('preparing', done, total));
      // Query id → row of the dataset's queries, made once for the positives, BM25's query texts and the scorer.
      const qRow = rowIndex(data.queries.id);
      const queries = await this.positives(data, qRow, spec.positiveGrade);
      let state = await readJob(data.folder);
      if (!state || state.datasetKey !== data.key || !sameJob(state.spec, spec)) state = await createJob(data.folder, spec, data.key, queries.length);
      const job = state;
      // The rule is the one asked for now (a job kept by a refused read-out goes on with its scores).
      if (JSON.stringify(job.spec.rule) !== JSON.stringify(spec.rule)) {
        job.spec = { ...job.spec, rule: spec.rule };
        await writeJob(data.folder, job);
      }
      if (job.plannedQueries < job.queries) {
        const ranked = await this.ranking(data, qRow, spec, current, queries.map((q) => q.qid));
        await planJob(data.folder, job, queries, ranked, (phase, done, total) => this.progress(phase, done, total), signal);
      }
      // The device the current student lives on stays (a paused run's tensors are there); else the best there is.
      if (!current) await selectBackend('auto');
      await scoreJob(
        data.folder,
        job,
        async (t) => {
          const teacher = spec.teachers[t] as { id: string };
          const scorer = await libraryCrossEncoder(data, teacher.id, { maxLength: spec.maxLength, maxQueryTokens: spec.maxQueryTokens }, (done, total) => this.progress('tokenizing', done, total), signal);
          const score: PairScorer = (qids, pids) =>
            scorer.score(
              Int32Array.from(qids, (q) => qRow.get(q) ?? -1),
              Int32Array.from(pids, (p) => data.passages.rowOf(p)),
              () => undefined,
            );
          return { score, release: scorer.release };
        },
        (phase, done, total) => this.progress(phase, done, total),
        signal,
        blockPairs,
      );
      const totals: JobTotals = { triples: 0, dropped: 0 };
      const provenance = (): TeacherProvenance => ({
        teachers: spec.teachers,
        standardised: spec.standardise && spec.teachers.length > 1,
        negatives: { source: spec.source, ...spec.negatives },
        positiveGrade: spec.positiveGrade,
        maxLength: spec.maxLength,
        maxQueryTokens: spec.maxQueryTokens,
        falseNegatives: spec.rule,
        pairsScored: job.pairs,
        triples: totals.triples,
        dropped: totals.dropped,
      });
      const names = spec.teachers.map((t) => t.name).join(' + ');
      const dataset = await deriveWithTriples(
        datasetId,
        { id: newId('dataset'), name: `${info.name} · teacher ${names}` },
        jobTriples(data.folder, job, NUMERIC_CHUNK_ROWS, totals, (phase, done, total) => this.progress(phase, done, total)),
        provenance,
        (done, total) => this.progress('copying', done, total),
        signal,
      ).catch((err: unknown) => {
        if (err instanceof EmptyTriplesError && spec.rule && totals.dropped > 0) {
          throw new Error(
            `the false-negative rule dropped every triple (${totals.dropped} of ${totals.dropped}): the teacher scores these negatives above ${spec.rule.fraction} of their positives' ${spec.rule.on === 'sigmoid' ? 'sigmoid scores' : 'scores'}. Raise the fraction or make them without the rule: the ${job.pairs * spec.teachers.length} scores are kept, so no pair is scored again`,
          );
        }
        throw err;
      });
      await removeJob(data.folder);
      return { dataset, provenance: provenance() };
    } catch (err) {
      if (signal.cancelled) throw new JobCancelled('cancelled: the pairs scored so far are kept; resume to go on from there');
      throw err;
    } finally {
      this.signal = null;
      this.ctx.holder.endEvaluating();
    }
  }

  /** Queries with a positive of at least `grade` whose text and positive passages the dataset holds, by id. */
  private async positives(data: EvalData, qRow: ReadonlyMap<number, number>, grade: number): Promise<{ qid: number; positives: number[] }[]> {
    const qrels = await readTable(data.info.id, 'qrels');
    if (!qrels) throw new Error(`dataset "${data.info.name}" has no qrels: the teacher needs to know each query's positives (a qrels file)`);
    const byQuery = new Map<number, number[]>();
    for (let i = 0; i < qrels.qid.length; i++) {
      const q = qrels.qid[i] as number;
      const p = qrels.pid[i] as number;
      if ((qrels.grade[i] as number) < grade || !qRow.has(q) || data.passages.rowOf(p) < 0) continue;
      const list = byQuery.get(q) ?? [];
      if (!list.includes(p)) list.push(p);
      byQuery.set(q, list);
    }
    if (byQuery.size === 0) throw new Error(`no query of "${data.info.name}" has a positive (qrels grade ≥ ${grade}) whose query text and passage the dataset holds`);
    return [...byQuery.entries()].sort((a, b) => a[0] - b[0]).map(([qid, positives]) => ({ qid, positives }));
  }

  /** Each query's candidates, best first, from the job's negative source. */
  private async ranking(data: EvalData, qRow: ReadonlyMap<number, number>, spec: TeacherJobSpec, student: ReturnType<WorkerContext['holder']['beginTeacher']>, qids: number[]): Promise<(qid: number) => Promise<number[]>> {
    const depth = spec.negatives.toRank;
    if (spec.source === 'bm25') {
      const { index } = await data.bm25((_p, done, total) => this.progress('preparing', done, total));
      const acc = new Float32Array(index.n);
      return async (qid) => Array.from(topK(index, bm25Terms(textAt(data.queries, qRow.get(qid) as number)), depth, acc).rows, (r) => data.passages.idOf(r));
    }
    if (spec.source === 'run') {
      const candidates = await readTable(data.info.id, 'candidates');
      if (!candidates || !data.info.runs?.length) throw new Error(`dataset "${data.info.name}" has no imported run to draw negatives from`);
      const lists = runLists(candidates, 0);
      return async (qid) => {
        const l = lists.get(qid);
        return l ? rank(l.pids, l.scores) : [];
      };
    }
    if (!student || !isVectorStudent(student.trainer.model)) throw new Error('dense negatives need a dot student: train one (or use a library bi-encoder as the student) first');
    if (student.tokenizer !== data.info.tokenizer) throw new Error(`the dot student reads ${student.tokenizer} tokens, this dataset has ${data.info.tokenizer}`);
    const lengths = evalLengthsOf(student.trainer.config);
    const found = await this.ctx.evals.denseRanking(data.info.id, { model: student.trainer.model, lengths, weightsKey: weightsKey(student), arch: student.trainer.config.arch }, qids, depth, (_phase, done, total) => this.progress('preparing', done, total));
    return async (qid) => found.get(qid) ?? [];
  }
}
