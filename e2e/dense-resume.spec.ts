/**
 * Dense retrieval encodes the whole collection with the student into a file of the dataset (OPFS). A tab closed
 * part-way leaves the vectors written so far; evaluating the same weights again (here: loaded back from their
 * safetensors export after the reload) encodes only the rest.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

test('a dense evaluation cut off by a reload resumes its encoding for the same weights', async ({ page }) => {
  test.setTimeout(900_000);
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  const passages = await studio.data.count('passages');
  await studio.train.configure({ 'arch-select': 'dot', 'config-steps': 2, 'config-eval-every': 0 });
  await studio.train.start();
  await studio.train.waitForState('done', 300_000);
  const [download] = await Promise.all([page.waitForEvent('download'), studio.byTestId('export-safetensors').click()]);
  const weights = { name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(await download.path()) };

  await studio.train.configure({ 'eval-dense': true, 'eval-depth': 10 });
  await studio.byTestId('eval-run').click();
  // Far enough into the encoding that its progress was recorded (every 2 s), not at its end.
  const encodedSoFar = () =>
    studio
      .byTestId('eval-progress')
      .evaluate((el) => (el.textContent?.includes('Encoding the collection') ? Number(el.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) : 0))
      .catch(() => 0);
  await expect.poll(encodedSoFar, { timeout: 600_000, intervals: [250] }).toBeGreaterThanOrEqual(Math.round(passages / 2));
  await studio.reload();

  // The same weights again, in the new worker.
  await studio.byTestId('import-weights').setInputFiles([weights]);
  await studio.train.waitForState('done');
  await studio.train.configure({ 'eval-dense': true, 'eval-depth': 10 });
  await studio.evaluation.run();
  const dense = studio.byTestId('dense-row');
  const reused = Number(await dense.getAttribute('data-reused'));
  const encoded = Number(await dense.getAttribute('data-encoded'));
  expect(reused, 'passages whose vectors the cut-off evaluation had written').toBeGreaterThan(0);
  expect(encoded, 'passages encoded after the reload').toBeGreaterThan(0);
  expect(reused + encoded).toBe(passages);
  const metrics = await dense.getAttribute('data-recall1000');

  // Once finished, the vectors serve the next evaluation as they are, with the same result.
  await studio.evaluation.run();
  await expect(dense).toHaveAttribute('data-encoded', '0');
  await expect(dense).toHaveAttribute('data-reused', String(passages));
  await expect(dense).toHaveAttribute('data-recall1000', metrics ?? '');
});
