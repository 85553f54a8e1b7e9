// IndexedDB in Node for isolation; the browser test runs the same evaluation in the training worker.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { parseRunText as parseRun, runFromTeacher, textFile } from '../testing/fixtures';
import { importMsmarcoSample } from '../testing/sample-dataset';
import { evaluateReranking, type EvalTables, type Scorer } from './rerank';
import { bm25IndexOf, type Bm25Index } from './bm25.reference';
import { teacherScores } from './rerank.reference';
import { tableCollection } from './collection';
import { evaluateRun, qrelsFrom, rank, round4, type Run } from './metrics';

let imports = 0;
async function sampleTables(): Promise<EvalTables & { bm25: Bm25Index }> {
  const runs = [textFile('teacher.run', runFromTeacher('msmarco-sample/teacher-ids.tsv', 'teacher')), textFile('random.run', runFromTeacher('msmarco-sample/teacher-ids.tsv', 'random', 7))];
  const t = await importMsmarcoSample(`eval-sample-${imports++}`, runs);
  return { passages: tableCollection(t.passages), queries: t.queries, qrels: t.qrels, candidates: t.candidates, teacher: teacherScores(t.triples), runs: t.info.runs ?? [], bm25: bm25IndexOf(t.passages) };
}

describe('evaluateReranking on the MS MARCO sample', () => {
  it('gives each run the metrics of the run as written, and the teacher beats random scores', async () => {
    const t = await sampleTables();
    const report = await evaluateReranking(t, { threshold: 1, depth: 100 }, null, () => undefined, t.bm25);
    expect(report.rows.map((r) => r.system)).toEqual(['bm25', 'teacher', 'run:teacher.run', 'run:random.run']);
    expect(report.devQueries).toBe(10);
    expect(report.candidates).toBe('run:teacher.run');
    expect(report.studentNote).not.toBe('');

    const qrels = qrelsFrom(t.qrels);
    for (const [name, seed] of [['teacher', undefined], ['random', 7]] as const) {
      const expected = evaluateRun(parseRun(runFromTeacher('msmarco-sample/teacher-ids.tsv', name, seed)), qrels, 1);
      const row = report.rows.find((r) => r.system === `run:${name}.run`);
      expect(row).toMatchObject({ mrr10: round4(expected.mrr10), ndcg10: round4(expected.ndcg10), recall100: round4(expected.recall100), queries: 10 });
    }
    const teacher = report.rows.find((r) => r.system === 'teacher')!;
    const random = report.rows.find((r) => r.system === 'run:random.run')!;
    // The teacher re-ranks the teacher run's candidates with the teacher's own scores: the same ranking.
    expect(teacher).toMatchObject({ mrr10: report.rows[2]!.mrr10, ndcg10: report.rows[2]!.ndcg10 });
    expect(teacher.mrr10).toBeGreaterThan(random.mrr10);
    expect(report.rows.find((r) => r.system === 'bm25')!.queries).toBe(10);
    expect(report.perQuery).toHaveLength(10);
    expect(report.perQuery[0]!.top.length).toBeGreaterThan(0);
  });

  it('scores the student on the candidates it was given', async () => {
    const t = await sampleTables();
    // A "student" that scores each pair by the passage id: its ranking is id order, descending.
    const scorer: Scorer = async (_q, p) => Float32Array.from(p, (row) => t.passages.idOf(row));
    const report = await evaluateReranking(t, { threshold: 1, depth: 100 }, scorer, () => undefined, t.bm25);
    expect(report.rows[0]!.system).toBe('student');
    expect(report.studentPairs).toBe(260);
    const byId: Run = new Map();
    for (const [q, e] of parseRun(runFromTeacher('msmarco-sample/teacher-ids.tsv', 'x'))) byId.set(q, { pids: e.pids, scores: Array.from(e.pids, Number) });
    const expected = evaluateRun(byId, qrelsFrom(t.qrels), 1);
    expect(report.rows[0]).toMatchObject({ mrr10: round4(expected.mrr10), ndcg10: round4(expected.ndcg10) });
  });

  it("re-ranks only the top depth candidates of the run, in the run's score order", async () => {
    const t = await sampleTables();
    const seen: number[][] = [];
    const scorer: Scorer = async (_q, p) => {
      seen.push(Array.from(p.subarray(0, 5), (row) => t.passages.idOf(row)));
      return new Float32Array(p.length);
    };
    const report = await evaluateReranking(t, { threshold: 1, depth: 5 }, scorer, () => undefined, t.bm25);
    expect(report.studentPairs).toBe(50);
    // The first query's five best teacher-scored passages, best first, equal scores broken as trec_eval does.
    const firstQuery = parseRun(runFromTeacher('msmarco-sample/teacher-ids.tsv', 'teacher')).get(1000)!;
    expect(seen[0]).toEqual(rank(firstQuery.pids, firstQuery.scores).slice(0, 5));
  });
});
