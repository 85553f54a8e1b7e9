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
  await studio.data.waitForDemo();

  const selections = [
    at('teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'),
    at('teacher-ids.tsv.gz', 'collection.tsv', 'queries.tsv'),
    at('teacher-text.tsv'),
    at('msmarco.jsonl'),
  ];
  const ids = new Set<string>();
  for (const files of selections) {
    await studio.data.importFiles(files);
    const summary = await studio.data.summary();
    expect(summary).toMatchObject({ passages: 260, queries: 10, triples: 250 });
    ids.add(summary.dataset);
    // The dataset view shows the teacher's score distribution for the new dataset (scores ≈ 83-100).
    await expect.poll(async () => (await studio.data.teacherHistogram('pos')).count).toBe(250);
    const pos = await studio.data.teacherHistogram('pos');
    expect(pos.min).toBeGreaterThan(80);
    expect(pos.max).toBeLessThan(101);
    await expect.poll(async () => (await studio.data.teacherHistogram('margin')).bars).toBeGreaterThan(0);
    await expect.poll(() => studio.data.sampleRows()).toContain('passage');
  }
  expect(ids.size).toBe(selections.length);
  expect(await studio.data.count('qrels')).toBe(0);
  // Demo plus four imports, each listed with its size, split into its parts.
  await expect.poll(() => studio.data.storedCount()).toBe(5);
  for (const id of ids) {
    const row = await studio.data.storage(id);
    expect(row.text, `texts of ${id}`).toBeGreaterThan(0);
    expect(row.token, `token ids of ${id}`).toBeGreaterThan(0);
    expect(row.triple).toBe(250 * 20);
    expect(row.text + row.token + row.triple + row.qrel + row.candidate).toBe(row.bytes);
  }

  // The imported data trains: a few small steps on the JSONL dataset, now the active one.
  await studio.train.configure({ 'config-steps': 4, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 24, 'config-probe-size': 16, 'config-seed': 3 });
  await studio.train.start();
  await studio.train.waitForState('done');
  const stats = await studio.train.stats();
  expect(stats.step).toBe(4);
  expect(Number.isFinite(stats.loss)).toBe(true);
  // The run wrote the dataset's training files: token rows and triple records, adding up to their total.
  const { dataset: active } = await studio.data.summary();
  await expect.poll(async () => (await studio.data.storage(active)).training, { timeout: 20_000 }).toBeGreaterThan(0);
  const files = await studio.data.storage(active);
  expect(files.tokenRow).toBeGreaterThan(0);
  expect(files.tripleRecord).toBeGreaterThan(0);
  expect(files.tokenRow + files.tripleRecord + files.bm25 + files.vector + files.otherFile).toBe(files.training);
  expect(await studio.data.storageLegend()).toContain('token ids');
  expect(errors).toEqual([]);
});

test('a malformed file shows file, line and reason, and changes nothing', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  const before = await studio.data.catalog();
  const { dataset: active } = await studio.data.summary();

  const bad = info.outputPath('bad-teacher.tsv');
  const lines = ['96.5\t90.25\t1000\t5000\t5001', '96.5\t89.0\t1000\t5000\t5002', '96.5\tninety\t1000\t5000\t5003', '95.0\t91.5\t1001\t5026\t5027'];
  await writeFile(bad, lines.join('\n') + '\n');
  const { error } = await studio.data.importFiles([bad, ...at('collection.tsv', 'queries.tsv')], 'error');
  expect(error).toContain('bad-teacher.tsv');
  expect(error).toContain('line 3');
  expect(error).toContain('negative score "ninety" is not a number');

  expect(await studio.data.catalog()).toEqual(before);
  expect((await studio.data.summary()).dataset).toBe(active);
  expect(await studio.data.storedCount()).toBe(before.length);
});

test('reloading the page in the middle of a large import leaves no incomplete dataset marked ready', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();

  const PASSAGES = 300_000;
  const big = info.outputPath('big-collection.tsv');
  const out = createWriteStream(big);
  const words = 'the passage about ranking models distillation teacher student margin score query document'.split(' ');
  for (let i = 0; i < PASSAGES; i++) {
    const text = Array.from({ length: 40 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    if (!out.write(`${i}\t${text} ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));

  await studio.data.chooseFiles(big);
  // Mid-import: lines have been read and stored, the import has not finished.
  await expect.poll(() => studio.data.rowsRead(), { timeout: 60_000, intervals: [100] }).toBeGreaterThan(20_000);
  expect(await studio.data.importState()).toBe('running');
  const during = await studio.data.catalog();
  expect(during.some((d) => d.status === 'importing')).toBe(true);

  await studio.reload();
  await studio.data.waitForReady();
  const incompleteButReady = (await studio.data.catalog()).filter((d) => d.status === 'ready' && d.counts.passages !== 2000);
  expect(incompleteButReady).toEqual([]);
  await expect.poll(() => studio.data.count('passages')).toBe(2000);
  // The cut-off import holds no lock any more, so a page load removes it.
  await expect
    .poll(async () => {
      await studio.reload();
      await studio.data.waitForReady();
      return (await studio.data.catalog()).filter((d) => d.status !== 'ready').length;
    }, { timeout: 60_000 })
    .toBe(0);
});

test('files added to the active dataset join it; a refused addition leaves it as it was', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  await studio.data.importFiles(at('collection.tsv', 'queries.tsv'));
  const { dataset: id, triples } = await studio.data.summary();
  expect(triples).toBe(0);

  await studio.data.setImportOptions({ append: true });
  await studio.data.importFiles(at('teacher-ids.tsv'));
  await expect.poll(() => studio.data.summary()).toMatchObject({ dataset: id, passages: 260, triples: 250 });
  // Every teacher id resolved against the texts imported earlier.
  await expect.poll(async () => (await studio.data.fileReports()).find((r) => r.file === 'teacher-ids.tsv')?.missing).toBe(0);

  const bad = info.outputPath('more-teacher.tsv');
  await writeFile(bad, '96.5\t90.25\t1000\t5000\t5001\n96.5\t89.0\t1000\t5000\t5002\n95.0\t91.5\t1001\t5026\tfive\n');
  const before = await studio.data.catalog();
  const { error } = await studio.data.importFiles([bad], 'error');
  expect(error).toContain('more-teacher.tsv');
  expect(error).toContain('line 3');
  expect(await studio.data.summary()).toMatchObject({ dataset: id, triples: 250 });
  expect(await studio.data.catalog()).toEqual(before);
});
