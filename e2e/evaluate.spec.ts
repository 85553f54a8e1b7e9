/** Evaluation through the page: imported runs scored exactly as the metric functions score them. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES, parseRunText, runFromTeacher } from '../src/testing/fixtures';
import { evaluateRun, fixed4, qrelsFrom, type Run } from '../src/eval/metrics';
import { BM25_B, BM25_K1, bm25Terms } from '../src/eval/bm25';

const sample = (n: string) => join(FIXTURES, 'msmarco-sample', n);

function sampleQrels() {
  // The sample's qrels: one relevant passage per query, grade 1.
  const qrelsRows = readFileSync(sample('qrels.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  return qrelsFrom({ qid: qrelsRows.map((r) => r[0] as number), pid: qrelsRows.map((r) => r[2] as number), grade: qrelsRows.map((r) => r[3] as number) });
}

function expectedFor(runText: string) {
  return evaluateRun(parseRunText(runText), sampleQrels(), 1);
}

/** Pearson's r from its definition: cov(x, y) / (sd(x) · sd(y)). */
function pearsonOf(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const cov = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const vx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const vy = points.reduce((a, p) => a + (p.y - my) ** 2, 0);
  return cov / Math.sqrt(vx * vy);
}

function idTexts(name: string): { id: number; text: string }[] {
  return readFileSync(sample(name), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => ({ id: Number(l.slice(0, l.indexOf('\t'))), text: l.slice(l.indexOf('\t') + 1) }));
}

/**
 * BM25 over the sample written here from its definition (Lucene's form, k1 = 0.9, b = 0.4), not through the
 * studio's index: per query word occurrence, idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl)) with
 * idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)). Only the words are the studio's (its hashed word terms). Scores are
 * summed in float32 in query-word order as the studio sums them, so that near-ties fall the same way; passages
 * sharing no word with the query are not retrieved (all others are: the sample has fewer than BM25's 1000).
 */
function bm25Reference(): Run {
  const passages = idTexts('collection.tsv').map((p) => ({ id: p.id, terms: Array.from(bm25Terms(p.text)) }));
  const n = passages.length;
  const avgdl = passages.reduce((sum, p) => sum + p.terms.length, 0) / n;
  const df = new Map<number, number>();
  for (const p of passages) for (const t of new Set(p.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const queries = new Map(idTexts('queries.tsv').map((q) => [q.id, q.text]));
  const run: Run = new Map();
  for (const qid of sampleQrels().keys()) {
    const words = Array.from(bm25Terms(queries.get(qid) ?? ''));
    const pids: number[] = [];
    const scores: number[] = [];
    for (const p of passages) {
      let score = 0;
      for (const t of words) {
        const d = df.get(t) ?? 0;
        const tf = p.terms.filter((x) => x === t).length;
        if (d === 0 || tf === 0) continue;
        const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
        score = Math.fround(score + (idf * tf) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * p.terms.length) / avgdl)));
      }
      if (score > 0) {
        pids.push(p.id);
        scores.push(score);
      }
    }
    run.set(qid, { pids, scores });
  }
  return run;
}

test('eval-run shows the metrics of the imported runs, the teacher above random scores, and the student', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000', { timeout: 120_000 });

  const teacherRun = runFromTeacher('msmarco-sample/teacher-ids.tsv', 'teacher');
  const randomRun = runFromTeacher('msmarco-sample/teacher-ids.tsv', 'random', 11);
  await writeFile(info.outputPath('teacher.run'), teacherRun);
  await writeFile(info.outputPath('random.run'), randomRun);
  await studio.data.importFiles([sample('collection.tsv'), sample('queries.tsv'), sample('qrels.tsv'), sample('teacher-ids.tsv'), info.outputPath('teacher.run'), info.outputPath('random.run')]);
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-candidates', '520');

  // A few small training steps, so that there is a student to evaluate.
  // Dev evaluation every 2 steps during training: at steps 2 and 3 (the end).
  // Trained with weighted RankNet, so that loss runs on WebGPU too.
  await studio.train.configure({ 'loss-select': 'weighted-ranknet', 'config-steps': 3, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 24, 'config-probe-size': 16, 'config-seed': 5, 'config-eval-every': 2 });
  await studio.byTestId('train-start').click();
  await studio.train.waitForState('done');
  expect(Number.isFinite(Number(await studio.byTestId('train-loss').textContent()))).toBe(true);
  await expect(studio.byTestId('dev-eval-chart')).toHaveAttribute('data-points', '2');

  await studio.byTestId('eval-run').click();
  await expect(studio.byTestId('eval-state')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });

  for (const [system, text] of [['run:teacher.run', teacherRun], ['run:random.run', randomRun]] as const) {
    const expected = expectedFor(text);
    const row = page.locator(`[data-testid="eval-row"][data-system="${system}"]`);
    await expect(row).toHaveAttribute('data-mrr10', fixed4(expected.mrr10));
    await expect(row).toHaveAttribute('data-ndcg10', fixed4(expected.ndcg10));
    await expect(row).toHaveAttribute('data-recall100', fixed4(expected.recall100));
    await expect(row).toHaveAttribute('data-queries', '10');
  }
  const mrr = async (system: string) => Number(await page.locator(`[data-testid="eval-row"][data-system="${system}"]`).getAttribute('data-mrr10'));
  expect(await mrr('teacher')).toBeGreaterThan(await mrr('run:random.run'));

  const student = page.locator('[data-testid="eval-row"][data-system="student"]');
  await expect(student).toHaveAttribute('data-queries', '10');
  const studentMetric = async (name: string) => Number(await student.getAttribute(`data-${name}`));
  const shown = Number(await studio.byTestId('metric-mrr10').textContent());
  expect(shown).toBe(await studentMetric('mrr10'));
  // The student's MRR@10 is the mean of the RR@10 each query shows (two decimals there; RR@10 is 1/rank or 0, and
  // 1/1 … 1/10 stay apart at two decimals, so each shown value gives back its rank).
  await expect(studio.byTestId('eval-query')).toHaveCount(10);
  const perQueryRr = (await studio.byTestId('eval-query').locator('summary').allTextContents()).map((text) => {
    const value = /\bstudent (\d\.\d\d)/.exec(text)?.[1];
    expect(value, `the student's RR@10 in "${text}"`).toBeDefined();
    const rr = Number(value);
    if (rr === 0) return 0;
    const rank = Math.round(1 / rr);
    expect(rank, `RR@10 ${rr} is 1/rank`).toBeLessThanOrEqual(10);
    expect((1 / rank).toFixed(2)).toBe(value);
    return 1 / rank;
  });
  expect.soft(fixed4(perQueryRr.reduce((a, b) => a + b, 0) / perQueryRr.length)).toBe(fixed4(await studentMetric('mrr10')));
  // With one relevant passage per query at rank r: RR = 1/r ≤ nDCG@10 = 1/log2(r + 1) ≤ recall@100 (1 when r ≤ 10).
  expect(await studentMetric('mrr10')).toBeGreaterThanOrEqual(0);
  expect(await studentMetric('mrr10')).toBeLessThanOrEqual(await studentMetric('ndcg10'));
  expect(await studentMetric('ndcg10')).toBeLessThanOrEqual(await studentMetric('recall100'));
  expect(await studentMetric('recall100')).toBeLessThanOrEqual(1);
  // The student re-ranks the first run's top 100 (the page's default depth, more than any sample query's list): it
  // reorders them, so its recall@100 is the run's, whatever it learnt.
  expect.soft(await studentMetric('recall100')).toBe(Number(fixed4(expectedFor(teacherRun).recall100)));

  // BM25's row is BM25 over the sample, as computed here from its definition.
  const bm25 = evaluateRun(bm25Reference(), sampleQrels(), 1);
  const bm25Row = page.locator('[data-testid="eval-row"][data-system="bm25"]');
  await expect.soft(bm25Row).toHaveAttribute('data-mrr10', fixed4(bm25.mrr10));
  await expect.soft(bm25Row).toHaveAttribute('data-ndcg10', fixed4(bm25.ndcg10));
  await expect.soft(bm25Row).toHaveAttribute('data-recall100', fixed4(bm25.recall100));
  await expect.soft(bm25Row).toHaveAttribute('data-recall1000', fixed4(bm25.recall1000));
  await expect.soft(studio.byTestId('metric-bm25-ndcg10')).toHaveText(fixed4(bm25.ndcg10));
  await expect(studio.byTestId('eval-query')).toHaveCount(10);

  // Dense retrieval with the student over all 260 passages: with fewer passages than 1000, every relevant one must
  // come back (exactness against brute force is a unit test).
  const dense = studio.byTestId('dense-row');
  await expect(dense).toHaveAttribute('data-queries', '10');
  await expect(dense).toHaveAttribute('data-recall1000', '1.0000');

  // The teacher-versus-student scatter, with its agreement at each probe (start and end of the 3 steps).
  const scatter = studio.byTestId('margin-scatter');
  await expect(scatter).toHaveAttribute('data-rendered', 'true');
  expect(Number(await scatter.getAttribute('data-probes'))).toBeGreaterThanOrEqual(2);
  // The Pearson r shown is that of the points drawn: a linear axis moves and scales each coordinate, which leaves r
  // unchanged, and the y axis points down (so r of x and −y). One point per probe triple (probe size 16).
  // Each point is a circle at (cx, cy) in the chart's pixels.
  const drawn = await scatter.locator('.recharts-scatter-symbol circle').evaluateAll((circles) => circles.map((c) => ({ x: Number(c.getAttribute('cx')), y: -Number(c.getAttribute('cy')) })));
  for (const p of drawn) expect(Number.isFinite(p.x) && Number.isFinite(p.y), `a point at (${p.x}, ${-p.y})`).toBe(true);
  expect(drawn).toHaveLength(16);
  expect(Math.abs(pearsonOf(drawn) - Number(await scatter.getAttribute('data-pearson')))).toBeLessThan(1e-9);
});
