import { describe, expect, it } from 'vitest';
import { MemoryFolder } from '../data/rows/files';
import type { TripleColumns } from '../data/store/schema';
import { drawNegatives } from './negatives';
import { ensembleScores } from './ensemble';
import { isFalseNegative } from './false-negatives';
import { createJob, sameJob, JOB_FILE, JobCancelled, jobStateOfText, jobTriples, planJob, readJob, removeJob, scoreJob, type PairScorer, type TeacherJobSpec, type TeacherJobState } from './job';

/** Two stand-in teachers on different scales: the job only sees scores. */
const teacherA = (q: number, p: number) => Math.fround(4 * Math.sin(q * 1.7 + p * 0.31));
const teacherB = (q: number, p: number) => Math.fround(0.5 * Math.cos(q * 0.9 - p * 0.13) + 2);
const TEACHERS = [teacherA, teacherB];

const QUERIES = Array.from({ length: 23 }, (_v, i) => ({ qid: 100 + i, positives: i % 5 === 0 ? [1000 + i, 1500 + i] : [1000 + i] }));
/** Each query's ranking: 30 passages, its positive among them. */
const ranking = (qid: number) => [...Array.from({ length: 30 }, (_v, r) => 2000 + ((qid * 7 + r * 11) % 400)).slice(0, 3), 1000 + (qid - 100), ...Array.from({ length: 26 }, (_v, r) => 2400 + ((qid * 3 + r * 5) % 300))];

function spec(teachers: number, extra: Partial<TeacherJobSpec> = {}): TeacherJobSpec {
  return {
    datasetId: 'd',
    teachers: Array.from({ length: teachers }, (_v, i) => ({ id: `m${i}`, name: `teacher ${i}` })),
    standardise: teachers > 1,
    source: 'bm25',
    negatives: { fromRank: 2, toRank: 20, perPositive: 4, seed: 9 },
    positiveGrade: 1,
    maxLength: 64,
    maxQueryTokens: 30,
    rule: null,
    ...extra,
  };
}

/** Scorers that count every pair they are asked for. */
function scorers(asked: number[]) {
  return async (t: number) => {
    const score: PairScorer = async (qids, pids) => {
      asked[t] = (asked[t] ?? 0) + qids.length;
      return Float32Array.from(qids, (q, i) => (TEACHERS[t] as typeof teacherA)(q, pids[i] as number));
    };
    return { score, release: () => undefined };
  };
}

async function collect(folder: MemoryFolder, state: TeacherJobState, chunkRows = 16) {
  const totals = { triples: 0, dropped: 0 };
  const chunks: TripleColumns[] = [];
  for await (const c of jobTriples(folder, state, chunkRows, totals)) chunks.push(c);
  const rows = chunks.flatMap((c) => Array.from(c.qid, (q, i) => [q, c.pos[i], c.neg[i], c.posScore[i], c.negScore[i]] as number[]));
  return { rows, totals, chunks };
}

async function runWhole(s: TeacherJobSpec, block = 8) {
  const folder = new MemoryFolder();
  const state = await createJob(folder, s, 'd@1', QUERIES.length);
  await planJob(folder, state, QUERIES, async (q) => ranking(q), () => undefined, { cancelled: false });
  const asked: number[] = [];
  await scoreJob(folder, state, scorers(asked), () => undefined, { cancelled: false }, block);
  return { folder, state, asked, ...(await collect(folder, state)) };
}

/** The triples written from the definitions: every positive with the negatives drawn for it, scored by the teachers. */
function reference(s: TeacherJobSpec, score: (q: number, p: number) => number) {
  return QUERIES.flatMap(({ qid, positives }) => {
    const drawn = drawNegatives(qid, ranking(qid), positives, s.negatives).negatives;
    return positives.flatMap((p, i) => drawn[i]!.map((n) => [qid, p, n, Math.fround(score(qid, p)), Math.fround(score(qid, n))]));
  });
}

describe('a teacher job in files', () => {
  it("one teacher: every positive with each of its drawn negatives, the teacher's own scores, each pair scored once", async () => {
    const s = spec(1);
    const { rows, totals, asked, state } = await runWhole(s);
    expect(rows).toEqual(reference(s, teacherA));
    expect(totals).toEqual({ triples: rows.length, dropped: 0 });
    expect(asked).toEqual([state.pairs]);
    // Positives and negatives share pairs: fewer pairs than two a triple.
    expect(state.pairs).toBeLessThan(2 * rows.length);
    expect(state.triples).toBe(rows.length);
  });

  it("two teachers standardised: each pair's score is the mean of z-scores computed here from the single teachers", async () => {
    const s = spec(2);
    const { rows, state, folder } = await runWhole(s);
    // The pairs the job scored, in its order, as the single teachers score them.
    const pairs = new Int32Array((folder.files.get('teacher-pairs.bin') as { contents(): Uint8Array }).contents().slice().buffer, 0, 2 * state.pairs);
    const single = TEACHERS.map((t) => Float32Array.from({ length: state.pairs }, (_v, i) => t(pairs[2 * i]!, pairs[2 * i + 1]!)));
    const mean = ensembleScores(single, true);
    const byPair = new Map<string, number>();
    for (let i = 0; i < state.pairs; i++) byPair.set(`${pairs[2 * i]}:${pairs[2 * i + 1]}`, mean[i]!);
    for (const [q, p, n, ps, ns] of rows) {
      expect(ps).toBeCloseTo(Math.fround(byPair.get(`${q}:${p}`)!), 6);
      expect(ns).toBeCloseTo(Math.fround(byPair.get(`${q}:${n}`)!), 6);
    }
    // Raw means differ from z-scored ones: the choice is applied, not ignored.
    const raw = await runWhole({ ...s, standardise: false });
    expect(raw.rows[0]![3]).toBeCloseTo(Math.fround((teacherA(raw.rows[0]![0]!, raw.rows[0]![1]!) + teacherB(raw.rows[0]![0]!, raw.rows[0]![1]!)) / 2), 5);
    expect(raw.rows[0]![3]).not.toBeCloseTo(rows[0]![3]!, 3);
  });

  it('drops the negatives the false-negative rule names, and counts them', async () => {
    const rule = { fraction: 0.6, on: 'sigmoid' as const };
    const all = await runWhole(spec(1));
    const kept = await runWhole(spec(1, { rule }));
    const expected = all.rows.filter(([, , , ps, ns]) => !isFalseNegative(ps!, ns!, rule));
    expect(kept.rows).toEqual(expected);
    expect(kept.totals.dropped).toBe(all.rows.length - expected.length);
    expect(kept.totals.dropped).toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('cut off while planning and while scoring, resumed from its files: the same triples, no pair scored twice', async () => {
    const s = spec(2);
    const whole = await runWhole(s, 8);
    const folder = new MemoryFolder();
    await createJob(folder, s, 'd@1', QUERIES.length);
    // Planning stops after the first block of queries... (a block is 256 queries, so cut by a ranking that fails)
    let calls = 0;
    const failing = async (q: number) => {
      if (++calls > 5) throw new Error('tab closed');
      return ranking(q);
    };
    await expect(planJob(folder, (await readJob(folder))!, QUERIES, failing, () => undefined, { cancelled: false })).rejects.toThrow('tab closed');
    let state = (await readJob(folder))!;
    expect(state.plannedQueries).toBe(0);
    await planJob(folder, state, QUERIES, async (q) => ranking(q), () => undefined, { cancelled: false });
    // Scoring is cancelled after three blocks, then resumed twice over from what the files say.
    const asked: number[] = [];
    const signal = { cancelled: false };
    let blocks = 0;
    await expect(
      scoreJob(folder, state, scorers(asked), () => {
        if (++blocks === 4) signal.cancelled = true;
      }, signal, 8),
    ).rejects.toBeInstanceOf(JobCancelled);
    state = (await readJob(folder))!;
    expect(state.scored[0]).toBe(24);
    expect(asked[0]).toBe(24);
    await scoreJob(folder, state, scorers(asked), () => undefined, { cancelled: false }, 8);
    expect(asked).toEqual([state.pairs, state.pairs]);
    const resumed = await collect(folder, (await readJob(folder))!);
    expect(resumed.rows).toEqual(whole.rows);
    expect(resumed.totals).toEqual(whole.totals);
  });

  it('keeps chunks within the size asked, reads its state back, and removes every file of its own', async () => {
    const { folder, state, chunks } = await runWhole(spec(1));
    expect(chunks.every((c) => c.qid.length <= 16)).toBe(true);
    expect(await readJob(folder)).toEqual(state);
    // The page reads the state file's text itself (no worker started to ask).
    expect(jobStateOfText(JSON.stringify(state))).toEqual(state);
    expect(jobStateOfText(null)).toBeNull();
    expect(jobStateOfText('{"format":1,"spec":')).toBeNull();
    expect(jobStateOfText(JSON.stringify({ ...state, format: 2 }))).toBeNull();
    (await folder.open('unrelated.rows', true)).close();
    await removeJob(folder);
    expect(await folder.list()).toEqual(['unrelated.rows']);
    expect(await readJob(folder)).toBeNull();
  });

  it('is the same job whatever its false-negative rule, and another job for any other change', () => {
    const s = spec(2);
    expect(sameJob(s, { ...s, rule: { fraction: 0.5, on: 'sigmoid' } })).toBe(true);
    expect(sameJob(s, { ...s, negatives: { ...s.negatives, seed: 10 } })).toBe(false);
    expect(sameJob(s, { ...s, maxLength: 65 })).toBe(false);
    expect(sameJob(s, { ...s, teachers: [...s.teachers].reverse() })).toBe(false);
  });

  it('refuses a spec it cannot run, and a state file a crash left half-written reads as no job', async () => {
    const folder = new MemoryFolder();
    await expect(createJob(folder, spec(0), 'd@1', 1)).rejects.toThrow('choose at least one cross-encoder');
    await expect(createJob(folder, spec(1, { negatives: { fromRank: 5, toRank: 2, perPositive: 1, seed: 1 } }), 'd@1', 1)).rejects.toThrow('the last rank must be a whole number of at least the first (5)');
    await expect(createJob(folder, spec(1, { maxLength: 3 }), 'd@1', 1)).rejects.toThrow('at least 4 tokens');
    const f = await folder.open(JOB_FILE, true);
    f.write(new TextEncoder().encode('{"format":1,"spec":'), 0);
    f.close();
    expect(await readJob(folder)).toBeNull();
  });
});
