/**
 * The micro-batch field: what it means for the batch as typed, the refusal of one that does not divide the batch,
 * and a shared address that carries it to a fresh browser. No training: the unit tests and e2e/kernels.spec.ts
 * check what accumulation computes.
 */
import { expect, test } from '@playwright/test';

test('the micro-batch field says how a step runs, refuses a non-divisor, and travels in a shared config', async ({ page }) => {
  await page.goto('/');
  const micro = page.getByTestId('config-micro-batch');
  const note = page.getByTestId('config-micro-batch-note');
  await expect(micro).toHaveValue('0');
  await page.getByTestId('config-batch-size').fill('32');
  await expect(note).toHaveText('the whole batch of 32 in one forward');

  await micro.fill('12');
  await expect(note).toHaveAttribute('data-ok', 'false');
  await expect(note).toHaveText('a micro-batch of 12 does not divide the batch of 32: choose a divisor of 32, or 0 for the whole batch');
  // Sharing commits the draft, which refuses the pair with the same rule as Train.
  await page.getByTestId('config-share').click();
  await expect(page.getByTestId('config-error')).toHaveText('run config: microBatch (12) must divide batchSize (32); 0 runs the whole batch at once');

  await micro.fill('8');
  await expect(note).toHaveAttribute('data-ok', 'true');
  await expect(note).toHaveText('4 micro-batches of 8 per step, gradients summed: the update of the whole batch');
  await page.getByTestId('config-share').click();
  await expect(page.getByTestId('config-error')).toHaveCount(0);
  const shared = await page.getByTestId('config-share-url').inputValue();
  const fresh = await page.context().browser()!.newContext();
  const other = await fresh.newPage();
  await other.goto(shared);
  await expect(other.getByTestId('config-micro-batch')).toHaveValue('8');
  await expect(other.getByTestId('config-batch-size')).toHaveValue('32');
  await fresh.close();
});
