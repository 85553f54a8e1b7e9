/**
 * Importing real files through the page: every layout of the MS MARCO sample, a malformed file, and a tab
 * reloaded in the middle of a large import.
 */
import { expect, test } from '@playwright/test';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES } from '../src/testing/fixtures';

const at = (...names: string[]) => names.map((n) => join(FIXTURES, 'msmarco-sample', n));

function watchConsole(page: import('@playwright/test').Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('every layout of the MS MARCO sample gives the same dataset', async ({ page }) => {
  const errors = watchConsole(page);
  const studio = new StudioPage(page);
  await studio.open();
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000', { timeout: 120_000 });

  const selections = [
    at('teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'),
    at('teacher-ids.tsv.gz', 'collection.tsv', 'queries.tsv'),
    at('teacher-text.tsv'),
    at('msmarco.jsonl'),
  ];
  const ids = new Set<string>();
  for (const files of selections) {
    await studio.data.importFiles(files);
    const summary = studio.byTestId('dataset-summary');
    await expect(summary).toHaveAttribute('data-passages', '260');
    await expect(summary).toHaveAttribute('data-queries', '10');
    await expect(summary).toHaveAttribute('data-triples', '250');
    ids.add((await summary.getAttribute('data-dataset')) ?? '');
    // The dataset view shows the teacher's score distribution for the new dataset (scores ≈ 83-100).
    const pos = studio.byTestId('teacher-histogram-pos');
    await expect(pos).toHaveAttribute('data-count', '250');
    expect(Number(await pos.getAttribute('data-min'))).toBeGreaterThan(80);
    expect(Number(await pos.getAttribute('data-max'))).toBeLessThan(101);
    await expect(studio.byTestId('teacher-histogram-margin').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expect(studio.byTestId('sample-rows')).toContainText('passage');
  }
  expect(ids.size).toBe(selections.length);
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-qrels', '0');
  // Demo plus four imports, each listed with its size, split into its parts.
  await expect(studio.byTestId('storage-row')).toHaveCount(5);
  for (const id of ids) {
    const row = await storageRow(page, id);
    expect(row.text, `texts of ${id}`).toBeGreaterThan(0);
    expect(row.token, `token ids of ${id}`).toBeGreaterThan(0);
    expect(row.triple).toBe(250 * 20);
    expect(row.text + row.token + row.triple + row.qrel + row.candidate).toBe(row.bytes);
  }

  // The imported data trains: a few small steps on the JSONL dataset, now the active one.
  await studio.train.configure({ 'config-steps': 4, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 24, 'config-probe-size': 16, 'config-seed': 3 });
  await studio.byTestId('train-start').click();
  await studio.train.waitForState('done');
  expect(Number(await studio.byTestId('train-step').textContent())).toBe(4);
  expect(Number.isFinite(Number(await studio.byTestId('train-loss').textContent()))).toBe(true);
  // The run wrote the dataset's training files: token rows and triple records, adding up to their total.
  const active = (await studio.byTestId('dataset-summary').getAttribute('data-dataset')) ?? '';
  await expect.poll(async () => (await storageRow(page, active)).training, { timeout: 20_000 }).toBeGreaterThan(0);
  const files = await storageRow(page, active);
  expect(files.tokenRow).toBeGreaterThan(0);
  expect(files.tripleRecord).toBeGreaterThan(0);
  expect(files.tokenRow + files.tripleRecord + files.bm25 + files.vector + files.otherFile).toBe(files.training);
  await expect(studio.byTestId('storage-legend')).toContainText('token ids');
  expect(errors).toEqual([]);
});

/** A dataset's bytes as its storage row states them, by part (`data-*-bytes`, absent ones as NaN). */
async function storageRow(page: import('@playwright/test').Page, id: string) {
  const row = page.locator(`[data-testid="storage-row"][data-dataset="${id}"]`);
  const n = async (name: string) => Number(await row.getAttribute(`data-${name}`));
  return {
    bytes: await n('bytes'),
    text: await n('text-bytes'),
    token: await n('token-bytes'),
    triple: await n('triple-bytes'),
    qrel: await n('qrel-bytes'),
    candidate: await n('candidate-bytes'),
    training: await n('training-bytes'),
    tokenRow: await n('token-row-bytes'),
    tripleRecord: await n('triple-record-bytes'),
    bm25: await n('bm25-bytes'),
    vector: await n('vector-bytes'),
    otherFile: await n('other-file-bytes'),
  };
}

test('a malformed file shows file, line and reason, and changes nothing', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000', { timeout: 120_000 });
  const before = await studio.data.catalog();
  const active = await studio.byTestId('dataset-summary').getAttribute('data-dataset');

  const bad = info.outputPath('bad-teacher.tsv');
  const lines = ['96.5\t90.25\t1000\t5000\t5001', '96.5\t89.0\t1000\t5000\t5002', '96.5\tninety\t1000\t5000\t5003', '95.0\t91.5\t1001\t5026\t5027'];
  await writeFile(bad, lines.join('\n') + '\n');
  await studio.data.importFiles([bad, ...at('collection.tsv', 'queries.tsv')], 'error');
  const message = studio.byTestId('import-error');
  await expect(message).toContainText('bad-teacher.tsv');
  await expect(message).toContainText('line 3');
  await expect(message).toContainText('negative score "ninety" is not a number');

  expect(await studio.data.catalog()).toEqual(before);
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-dataset', active ?? '');
  await expect(studio.byTestId('storage-row')).toHaveCount(before.length);
});

test('reloading the page in the middle of a large import leaves no incomplete dataset marked ready', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000', { timeout: 120_000 });

  const PASSAGES = 300_000;
  const big = info.outputPath('big-collection.tsv');
  const out = createWriteStream(big);
  const words = 'the passage about ranking models distillation teacher student margin score query document'.split(' ');
  for (let i = 0; i < PASSAGES; i++) {
    const text = Array.from({ length: 40 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    if (!out.write(`${i}\t${text} ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));

  await studio.byTestId('import-files').setInputFiles(big);
  // Mid-import: lines have been read and stored, the import has not finished.
  await expect.poll(async () => Number(await studio.byTestId('import-rows').getAttribute('data-rows')), { timeout: 60_000, intervals: [100] }).toBeGreaterThan(20_000);
  await expect(studio.byTestId('import-status')).toHaveAttribute('data-state', 'running');
  const during = await studio.data.catalog();
  expect(during.some((d) => d.status === 'importing')).toBe(true);

  await page.reload();
  await expect(studio.byTestId('load-demo')).toBeEnabled({ timeout: 60_000 });
  const incompleteButReady = (await studio.data.catalog()).filter((d) => d.status === 'ready' && d.counts.passages !== 2000);
  expect(incompleteButReady).toEqual([]);
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000');
  // The cut-off import holds no lock any more, so a page load removes it.
  await expect
    .poll(async () => {
      await page.reload();
      await expect(studio.byTestId('load-demo')).toBeEnabled({ timeout: 60_000 });
      return (await studio.data.catalog()).filter((d) => d.status !== 'ready').length;
    }, { timeout: 60_000 })
    .toBe(0);
});

test('files added to the active dataset join it; a refused addition leaves it as it was', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', '2000', { timeout: 120_000 });
  await studio.data.importFiles(at('collection.tsv', 'queries.tsv'));
  const summary = studio.byTestId('dataset-summary');
  const id = (await summary.getAttribute('data-dataset')) ?? '';
  await expect(summary).toHaveAttribute('data-triples', '0');

  await studio.data.setImportOptions({ append: true });
  await studio.data.importFiles(at('teacher-ids.tsv'));
  await expect(summary).toHaveAttribute('data-dataset', id);
  await expect(summary).toHaveAttribute('data-passages', '260');
  await expect(summary).toHaveAttribute('data-triples', '250');
  // Every teacher id resolved against the texts imported earlier.
  await expect(studio.byTestId('file-report').and(page.locator('[data-file="teacher-ids.tsv"]'))).toHaveAttribute('data-missing', '0');

  const bad = info.outputPath('more-teacher.tsv');
  await writeFile(bad, '96.5\t90.25\t1000\t5000\t5001\n96.5\t89.0\t1000\t5000\t5002\n95.0\t91.5\t1001\t5026\tfive\n');
  const before = await studio.data.catalog();
  await studio.data.importFiles([bad], 'error');
  await expect(studio.byTestId('import-error')).toContainText('more-teacher.tsv');
  await expect(studio.byTestId('import-error')).toContainText('line 3');
  await expect(summary).toHaveAttribute('data-dataset', id);
  await expect(summary).toHaveAttribute('data-triples', '250');
  expect(await studio.data.catalog()).toEqual(before);
});
