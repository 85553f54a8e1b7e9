/**
 * A teacher job in files, so that it outlives the tab: the plan (every pair to score and every triple made of them)
 * written query block by query block, each teacher's scores written block by block, and a small state file written
 * after each block says how far each part got. A job cut off (a reload, a closed tab, a cancel) goes on from its last
 * block: what was scored is not scored again, and since negatives are drawn per query from the job's seed
 * (negatives.ts), a resumed plan is the plan an uninterrupted job makes. The finished triples are read out in
 * chunks (the ensemble and the false-negative rule applied as they go), so memory does not grow with the job.
 *
 * Files (in the dataset version's folder): `teacher-job.json` (the state), `teacher-pairs.bin` (query id and passage
 * id per pair, int32), `teacher-triples.bin` (positive pair and negative pair per triple, int32 indices into the
 * pairs), `teacher-scores-<t>.bin` (teacher t's score per pair, float32).
 */
import { readExactly, readJsonFile, writeJsonFile, type FileFolder, type RandomAccessFile } from '../data/rows/files';
import type { NegativeSource, TeacherProvenance } from '../data/provenance';
import type { DatasetInfo, TripleColumns } from '../data/store/schema';
import { ensembleWith } from './ensemble';
import { isFalseNegative, type FalseNegativeRule } from './false-negatives';
import { checkNegativeChoice, type NegativeChoice } from './negatives';
import { planQuery } from './plan';

export const JOB_FILE = 'teacher-job.json';
export const PAIRS_FILE = 'teacher-pairs.bin';
export const TRIPLES_FILE = 'teacher-triples.bin';
export const scoresFile = (teacher: number): string => `teacher-scores-${teacher}.bin`;
/** Every file a job writes starts so: a new job removes them all. */
export const JOB_PREFIX = 'teacher-';
const FORMAT = 1;

export interface TeacherJobSpec {
  datasetId: string;
  /** Cross-encoders of the model library, in order: several are averaged. */
  teachers: { id: string; name: string }[];
  /** z-score each teacher's scores over all pairs before the mean (several teachers only). */
  standardise: boolean;
  source: NegativeSource;
  negatives: NegativeChoice;
  /** Qrels grade from which a passage is a positive. */
  positiveGrade: number;
  /** Most tokens of `[CLS] q [SEP] p [SEP]` as the teachers read a pair. */
  maxLength: number;
  /** Most query tokens a pair keeps (cut before the pair is). */
  maxQueryTokens: number;
  rule: FalseNegativeRule | null;
}

export interface TeacherJobState {
  format: number;
  spec: TeacherJobSpec;
  /** The dataset version the job reads (`<id>@<updatedAt>`): another version cannot resume it. */
  datasetKey: string;
  /** Queries with a positive, in ascending id order: the plan's order. */
  queries: number;
  /** Queries planned so far, and the pairs, triples and missing negatives they gave. */
  plannedQueries: number;
  pairs: number;
  triples: number;
  short: number;
  /** Pairs scored by each teacher, in pair order. */
  scored: number[];
  startedAt: number;
}

export type JobPhase = 'planning' | 'scoring' | 'writing';
/** A job's phases as the page shows them: the job's own, and reading, tokenizing and copying around them. */
export type TeacherPhase = JobPhase | 'preparing' | 'tokenizing' | 'copying';

/** What the page shows of an unfinished job: its spec, how far it got. */
export interface TeacherJobSummary {
  spec: TeacherJobSpec;
  queries: number;
  plannedQueries: number;
  pairs: number;
  /** Pairs scored over all teachers, of pairs × teachers. */
  scored: number;
  total: number;
  startedAt: number;
}

/** A finished job: the dataset it made, and how. */
export interface TeacherResult {
  dataset: DatasetInfo;
  provenance: TeacherProvenance;
}

export function jobSummary(state: TeacherJobState): TeacherJobSummary {
  return {
    spec: state.spec,
    queries: state.queries,
    plannedQueries: state.plannedQueries,
    pairs: state.pairs,
    scored: state.scored.reduce((a, b) => a + b, 0),
    total: state.pairs * state.spec.teachers.length,
    startedAt: state.startedAt,
  };
}
export type JobProgress = (phase: JobPhase, done: number, total: number) => void;

export class JobCancelled extends Error {
  override name = 'JobCancelled';
}

/** Pairs scored between two writes of the state: the most a cut-off job scores again. */
export const SCORE_BLOCK = 256;
const PLAN_BLOCK_QUERIES = 256;
const READ_BLOCK = 65_536;

export function checkSpec(spec: TeacherJobSpec): void {
  if (spec.teachers.length === 0) throw new Error('choose at least one cross-encoder as the teacher');
  if (new Set(spec.teachers.map((t) => t.id)).size !== spec.teachers.length) throw new Error('a teacher is chosen twice');
  checkNegativeChoice(spec.negatives);
  if (!Number.isInteger(spec.positiveGrade) || spec.positiveGrade < 0) throw new RangeError(`the positives' grade must be a whole number of at least 0, got ${spec.positiveGrade}`);
  if (!Number.isInteger(spec.maxLength) || spec.maxLength < 4) throw new RangeError(`a pair needs at least 4 tokens ([CLS] q [SEP] p [SEP]), got a max length of ${spec.maxLength}`);
  if (!Number.isInteger(spec.maxQueryTokens) || spec.maxQueryTokens < 1) throw new RangeError(`queries need at least 1 token, got a query cut of ${spec.maxQueryTokens}`);
  if (spec.rule && !(spec.rule.fraction > 0 && spec.rule.fraction <= 1)) throw new RangeError(`false-negative rule: the fraction must lie in (0, 1], got ${spec.rule.fraction}`);
}

/**
 * Whether a stored job is the one `spec` asks for: everything but the false-negative rule, which applies only as
 * the triples are read out, so that a new fraction reuses every score.
 */
export function sameJob(a: TeacherJobSpec, b: TeacherJobSpec): boolean {
  return JSON.stringify({ ...a, rule: null }) === JSON.stringify({ ...b, rule: null });
}

/** The job state in `folder`, or null when there is none (or a state file a crash left unreadable). */
export async function readJob(folder: FileFolder): Promise<TeacherJobState | null> {
  try {
    return jobState(await readJsonFile(folder, JOB_FILE));
  } catch {
    return null;
  }
}

/** A parsed state file as a job's state, or null when it is not one this version writes. */
export function jobState(value: unknown): TeacherJobState | null {
  const state = value as TeacherJobState | null;
  return typeof state === 'object' && state !== null && state.format === FORMAT && Array.isArray(state.scored) && typeof state.spec === 'object' ? state : null;
}

/** The state file's text (as the page reads it) as a job's state; null when unreadable. */
export function jobStateOfText(text: string | null): TeacherJobState | null {
  if (text === null) return null;
  try {
    return jobState(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Removes a job's files (after it finished, or before a new one). */
export async function removeJob(folder: FileFolder): Promise<void> {
  for (const name of await folder.list()) if (name.startsWith(JOB_PREFIX)) await folder.remove(name);
}

/** Writes a job's state (after a block, or when its rule changes). */
export function writeJob(folder: FileFolder, state: TeacherJobState): Promise<void> {
  return writeJsonFile(folder, JOB_FILE, state);
}

/** A new job's state in `folder` (any earlier job there removed). */
export async function createJob(folder: FileFolder, spec: TeacherJobSpec, datasetKey: string, queries: number, now = Date.now()): Promise<TeacherJobState> {
  checkSpec(spec);
  await removeJob(folder);
  const state: TeacherJobState = { format: FORMAT, spec, datasetKey, queries, plannedQueries: 0, pairs: 0, triples: 0, short: 0, scored: spec.teachers.map(() => 0), startedAt: now };
  await writeJob(folder, state);
  return state;
}

async function withFiles<T>(folder: FileFolder, names: string[], work: (files: RandomAccessFile[]) => Promise<T>): Promise<T> {
  const files: RandomAccessFile[] = [];
  try {
    for (const n of names) files.push(await folder.openForUpdate(n));
    return await work(files);
  } finally {
    files.forEach((f) => f.close());
  }
}

const bytesOf = (a: Int32Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Plans the queries not yet planned: `queries` are all the job's queries with their positives, in ascending id
 * order (the same list each time); `ranked` gives a query's candidates, best first.
 */
export async function planJob(
  folder: FileFolder,
  state: TeacherJobState,
  queries: readonly { qid: number; positives: readonly number[] }[],
  ranked: (qid: number) => Promise<readonly number[]>,
  onProgress: JobProgress,
  signal: { cancelled: boolean },
): Promise<void> {
  if (queries.length !== state.queries) throw new Error(`the job planned ${state.queries} queries, the dataset now gives ${queries.length}; start it again`);
  await withFiles(folder, [PAIRS_FILE, TRIPLES_FILE], async ([pairsFile, triplesFile]) => {
    while (state.plannedQueries < queries.length) {
      if (signal.cancelled) throw new JobCancelled('cancelled while planning');
      const block = queries.slice(state.plannedQueries, state.plannedQueries + PLAN_BLOCK_QUERIES);
      const pairs: number[] = [];
      const triples: number[] = [];
      let short = 0;
      for (const { qid, positives } of block) {
        const plan = planQuery(qid, positives, await ranked(qid), state.spec.negatives);
        const base = state.pairs + pairs.length / 2;
        for (const pid of plan.pids) pairs.push(qid, pid);
        for (const [p, n] of plan.triples) triples.push(base + p, base + n);
        short += plan.short;
      }
      (pairsFile as RandomAccessFile).write(bytesOf(Int32Array.from(pairs)), state.pairs * 8);
      (triplesFile as RandomAccessFile).write(bytesOf(Int32Array.from(triples)), state.triples * 8);
      pairsFile?.flush();
      triplesFile?.flush();
      // The state last: a block whose state was not written is planned again, over the same bytes.
      state.pairs += pairs.length / 2;
      state.triples += triples.length / 2;
      state.short += short;
      state.plannedQueries += block.length;
      await writeJob(folder, state);
      onProgress('planning', state.plannedQueries, queries.length);
    }
  });
}

/** Scores the given pairs (query ids and passage ids, the same length) with one teacher. */
export type PairScorer = (qids: Int32Array, pids: Int32Array) => Promise<Float32Array>;

function readInts(file: RandomAccessFile, at: number, count: number, what: string): Int32Array {
  const out = new Int32Array(count);
  if (count > 0) readExactly(file, bytesOf(out), at, what);
  return out;
}

function readFloats(file: RandomAccessFile, at: number, count: number, what: string): Float32Array {
  const out = new Float32Array(count);
  if (count > 0) readExactly(file, bytesOf(out), at, what);
  return out;
}

/**
 * Scores every planned pair not yet scored, teacher after teacher (`scorers[t]` is teacher t: one model on the
 * device at a time is the caller's choice, `scorerFor` is asked for each teacher when its turn comes). Progress
 * counts pairs over all teachers.
 */
export async function scoreJob(
  folder: FileFolder,
  state: TeacherJobState,
  scorerFor: (teacher: number) => Promise<{ score: PairScorer; release(): void }>,
  onProgress: JobProgress,
  signal: { cancelled: boolean },
  block = SCORE_BLOCK,
): Promise<void> {
  if (state.plannedQueries !== state.queries) throw new Error('the job is not planned yet');
  const total = state.pairs * state.spec.teachers.length;
  const done = () => state.scored.reduce((a, b) => a + b, 0);
  onProgress('scoring', done(), total);
  for (let t = 0; t < state.spec.teachers.length; t++) {
    if ((state.scored[t] as number) >= state.pairs) continue;
    const scorer = await scorerFor(t);
    try {
      await withFiles(folder, [PAIRS_FILE, scoresFile(t)], async ([pairsFile, scores]) => {
        while ((state.scored[t] as number) < state.pairs) {
          if (signal.cancelled) throw new JobCancelled('cancelled while scoring');
          const from = state.scored[t] as number;
          const n = Math.min(block, state.pairs - from);
          const ids = readInts(pairsFile as RandomAccessFile, from * 8, 2 * n, PAIRS_FILE);
          const qids = new Int32Array(n);
          const pids = new Int32Array(n);
          for (let i = 0; i < n; i++) {
            qids[i] = ids[2 * i] as number;
            pids[i] = ids[2 * i + 1] as number;
          }
          const s = await scorer.score(qids, pids);
          if (s.length !== n) throw new Error(`teacher ${state.spec.teachers[t]?.name} gave ${s.length} scores for ${n} pairs`);
          const bad = s.findIndex((x) => !Number.isFinite(x));
          if (bad >= 0) throw new Error(`teacher ${state.spec.teachers[t]?.name} gave a score that is not a number (${s[bad]}) for query ${qids[bad]} and passage ${pids[bad]}`);
          (scores as RandomAccessFile).write(bytesOf(s), from * 4);
          scores?.flush();
          state.scored[t] = from + n;
          await writeJob(folder, state);
          onProgress('scoring', done(), total);
        }
      });
    } finally {
      scorer.release();
    }
  }
}

/** Mean and population std of one teacher's scores, read a block at a time (two passes, as `moments` computes them). */
async function fileMoments(folder: FileFolder, teacher: number, pairs: number): Promise<{ mean: number; std: number }> {
  return withFiles(folder, [scoresFile(teacher)], async ([file]) => {
    let sum = 0;
    for (let at = 0; at < pairs; at += READ_BLOCK) {
      const s = readFloats(file as RandomAccessFile, at * 4, Math.min(READ_BLOCK, pairs - at), scoresFile(teacher));
      for (let i = 0; i < s.length; i++) sum += s[i] as number;
    }
    const mean = sum / pairs;
    let squares = 0;
    for (let at = 0; at < pairs; at += READ_BLOCK) {
      const s = readFloats(file as RandomAccessFile, at * 4, Math.min(READ_BLOCK, pairs - at), scoresFile(teacher));
      for (let i = 0; i < s.length; i++) squares += ((s[i] as number) - mean) ** 2;
    }
    return { mean, std: Math.sqrt(squares / pairs) };
  });
}

export interface JobTotals {
  triples: number;
  dropped: number;
}

/**
 * The finished job's triples in chunks of at most `chunkRows`, as the dataset stores teacher triples: each pair's
 * score the teachers' mean (each standardised first when the job says so), a triple whose negative the rule calls a
 * false negative left out. `totals` is filled as the chunks go.
 */
export async function* jobTriples(folder: FileFolder, state: TeacherJobState, chunkRows: number, totals: JobTotals, onProgress: JobProgress = () => undefined): AsyncGenerator<TripleColumns> {
  const teachers = state.spec.teachers.length;
  state.scored.forEach((n, t) => {
    if (n < state.pairs) throw new Error(`teacher ${state.spec.teachers[t]?.name} has scored ${n} of ${state.pairs} pairs`);
  });
  if (state.pairs === 0) return;
  const stats: { mean: number; std: number }[] = [];
  for (let t = 0; t < teachers; t++) stats.push(state.spec.standardise && teachers > 1 ? await fileMoments(folder, t, state.pairs) : { mean: 0, std: 1 });
  const names = [PAIRS_FILE, TRIPLES_FILE, ...state.spec.teachers.map((_, t) => scoresFile(t))];
  const files: RandomAccessFile[] = [];
  try {
    for (const n of names) files.push(await folder.open(n, false));
    const [pairsFile, triplesFile, ...scoreFiles] = files as [RandomAccessFile, RandomAccessFile, ...RandomAccessFile[]];
    for (let at = 0; at < state.triples; at += chunkRows) {
      const n = Math.min(chunkRows, state.triples - at);
      const refs = readInts(triplesFile, at * 8, 2 * n, TRIPLES_FILE);
      // A block of triples refers to a run of pairs (a query's pairs come together, in the triples' order).
      let lo = Infinity;
      let hi = -1;
      for (let i = 0; i < refs.length; i++) {
        lo = Math.min(lo, refs[i] as number);
        hi = Math.max(hi, refs[i] as number);
      }
      const span = hi - lo + 1;
      const ids = readInts(pairsFile, lo * 8, 2 * span, PAIRS_FILE);
      const score = ensembleWith(scoreFiles.map((f, t) => readFloats(f, lo * 4, span, scoresFile(t))), stats);
      const out: TripleColumns = { qid: new Int32Array(n), pos: new Int32Array(n), neg: new Int32Array(n), posScore: new Float32Array(n), negScore: new Float32Array(n) };
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const p = (refs[2 * i] as number) - lo;
        const m = (refs[2 * i + 1] as number) - lo;
        const ps = score[p] as number;
        const ms = score[m] as number;
        if (state.spec.rule && isFalseNegative(ps, ms, state.spec.rule)) continue;
        out.qid[kept] = ids[2 * p] as number;
        out.pos[kept] = ids[2 * p + 1] as number;
        out.neg[kept] = ids[2 * m + 1] as number;
        out.posScore[kept] = ps;
        out.negScore[kept] = ms;
        kept++;
      }
      totals.triples += kept;
      totals.dropped += n - kept;
      onProgress('writing', at + n, state.triples);
      if (kept === 0) continue;
      yield kept === n ? out : { qid: out.qid.slice(0, kept), pos: out.pos.slice(0, kept), neg: out.neg.slice(0, kept), posScore: out.posScore.slice(0, kept), negScore: out.negScore.slice(0, kept) };
    }
  } finally {
    files.forEach((f) => f.close());
  }
}
