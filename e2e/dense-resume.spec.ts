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
  const download = await studio.export.safetensors();
  const weights = { name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(await download.path()) };

  await studio.evaluation.start({ dense: true, depth: 10 });
  // Far enough into the encoding that its progress was recorded (every 2 s), not at its end.
  await expect.poll(() => studio.evaluation.encodedSoFar(), { timeout: 600_000, intervals: [250] }).toBeGreaterThanOrEqual(Math.round(passages / 2));
  await studio.reload();

  // The same weights again, in the new worker.
  await studio.export.loadWeights([weights]);
  await studio.train.waitForState('done');
  await studio.evaluation.run({ dense: true, depth: 10 });
  const dense = await studio.evaluation.denseRow();
  expect(dense?.reused, 'passages whose vectors the cut-off evaluation had written').toBeGreaterThan(0);
  expect(dense?.encoded, 'passages encoded after the reload').toBeGreaterThan(0);
  expect((dense?.reused ?? NaN) + (dense?.encoded ?? NaN)).toBe(passages);

  // Once finished, the vectors serve the next evaluation as they are, with the same result.
  await studio.evaluation.run();
  expect(await studio.evaluation.denseRow()).toMatchObject({ encoded: 0, reused: passages, recall1000: dense?.recall1000 });
});
