/**
 * Storage honesty for the training files: with the page's quota too small for them, Train fails with a message
 * saying the storage is full while writing them, and nothing of them is left; with the quota back, the same run
 * writes them and trains. (The quota is overridden through DevTools, which navigator.storage.estimate() does not
 * reflect, so this is the quota error during the writes; the refusal before writing, from the estimate, is
 * unit-tested in src/data/rows/training-files.test.ts.)
 */
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

/** Names of the files in the dataset's training-files folders (every version), [] when there are none. */
async function trainingFiles(page: import('@playwright/test').Page, dataset: string): Promise<string[]> {
  return page.evaluate(async (id) => {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    try {
      const folder = await (await root.getDirectoryHandle('training-rows')).getDirectoryHandle(id);
      for await (const version of folder.keys()) for await (const name of (await folder.getDirectoryHandle(version)).keys()) names.push(name);
    } catch {
      // No folder: nothing written.
    }
    return names.sort();
  }, dataset);
}

test('a quota error while the training files are written leaves none of them behind, and says so', async ({ page, baseURL }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  const { dataset } = await studio.data.summary();
  await studio.train.configure({ 'config-steps': 2, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 16, 'config-probe-size': 8, 'config-eval-every': 0 });

  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL ?? page.url()).origin;
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  // Room for 10 kB more: the demo's token rows alone are far larger.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (usage ?? 0) + 10_000 });
  await studio.train.start();
  await studio.train.waitForState('error');
  expect(await studio.train.error()).toMatch(/^the browser's storage for this page is full while writing the dataset file passages\.rows; what was written was removed/);
  expect(await trainingFiles(page, dataset)).toEqual([]);

  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await studio.train.start();
  await studio.train.waitForState('done');
  expect(await trainingFiles(page, dataset)).toEqual(['manifest.json', 'passages.rows', 'queries.rows', 'triples.records']);
});
