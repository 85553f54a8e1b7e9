/**
 * The micro-batch field: what it means for the batch as typed, the refusal of one that does not divide the batch,
 * and a shared address that carries it to a fresh browser. No training: the unit tests and e2e/kernels.spec.ts
 * check what accumulation computes.
 */
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

test('the micro-batch field says how a step runs, refuses a non-divisor, and travels in a shared config', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  const note = () => studio.train.microBatchNote();
  expect(await studio.train.field('config-micro-batch')).toBe('0');
  await studio.train.configure({ 'config-batch-size': 32 });
  await expect.poll(note).toEqual({ ok: true, text: 'the whole batch of 32 in one forward' });

  await studio.train.configure({ 'config-micro-batch': 12 });
  await expect.poll(note).toEqual({ ok: false, text: 'a micro-batch of 12 does not divide the batch of 32: choose a divisor of 32, or 0 for the whole batch' });
  // Sharing commits the draft, which refuses the pair with the same rule as Train.
  expect(await studio.train.share()).toEqual({ error: 'run config: microBatch (12) must divide batchSize (32); 0 runs the whole batch at once' });

  await studio.train.configure({ 'config-micro-batch': 8 });
  await expect.poll(note).toEqual({ ok: true, text: '4 micro-batches of 8 per step, gradients summed: the update of the whole batch' });
  const shared = await studio.train.share();
  if (!('url' in shared)) throw new Error(`sharing was refused: ${shared.error}`);
  const fresh = await page.context().browser()!.newContext();
  const other = new StudioPage(await fresh.newPage());
  await other.open(shared.url);
  expect(await other.train.field('config-micro-batch')).toBe('8');
  expect(await other.train.field('config-batch-size')).toBe('32');
  await fresh.close();
});
