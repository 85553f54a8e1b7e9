/** Evaluation through the page: imported runs scored exactly as the metric functions score them. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES, parseRunText, runFromTeacher } from '../src/testing/fixtures';
import { evaluateRun, fixed4, qrelsFrom } from '../src/eval/metrics';

const sample = (n: string) => join(FIXTURES, 'msmarco-sample', n);

function expectedFor(runText: string) {
  // The sample's qrels: one relevant passage per query, grade 1.
  const qrelsRows = readFileSync(sample('qrels.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const qrels = qrelsFrom({ qid: qrelsRows.map((r) => r[0] as number), pid: qrelsRows.map((r) => r[2] as number), grade: qrelsRows.map((r) => r[3] as number) });
  return evaluateRun(parseRunText(runText), qrels, 1);
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
  const shown = Number(await studio.byTestId('metric-mrr10').textContent());
  expect(shown).toBe(Number(await student.getAttribute('data-mrr10')));
  expect(shown).toBeGreaterThanOrEqual(0);
  expect(shown).toBeLessThanOrEqual(1);
  await expect(studio.byTestId('metric-bm25-ndcg10')).toHaveText((await page.locator('[data-testid="eval-row"][data-system="bm25"]').getAttribute('data-ndcg10')) ?? 'missing');
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
  expect(Math.abs(Number(await scatter.getAttribute('data-pearson')))).toBeLessThanOrEqual(1);
});
