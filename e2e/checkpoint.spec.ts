import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

/** Within float rounding of the uninterrupted run's loss at each step. */
function expectSameLosses(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((l, i) => expect(Math.abs(l - (want[i] as number)), `step ${i + 1}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(want[i] as number))));
}

test('a run cut off by a reload resumes from its checkpoint with the losses of an uninterrupted run', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  await studio.train.configure({
    'arch-select': 'dot',
    'loss-select': 'margin-mse',
    'config-steps': 20,
    'config-batch-size': 8,
    'config-learning-rate': 0.005,
    'config-seed': 3,
    'config-hidden': 16,
    'config-layers': 1,
    'config-query-length': 8,
    'config-passage-length': 24,
    'config-probe-size': 32,
    'config-eval-every': 0,
    'config-checkpoint-every': 5,
  });

  // The reference: the same run, uninterrupted.
  await studio.train.start();
  await studio.train.waitForState('done');
  const uninterrupted = await studio.train.losses();
  expect(uninterrupted).toHaveLength(20);

  // The size the worker builds (students.spec checks that the two agree), read now: the reload must follow the
  // checkpoint closely, before the 20 steps are done.
  const parameters = (await studio.train.plannedParameters()) ?? NaN;
  await studio.train.start();
  let checkpoint: { step: number; bytes: number } | null = null;
  await expect.poll(async () => (checkpoint = await studio.train.checkpoint())?.step ?? 0, { timeout: 240_000, intervals: [100] }).toBeGreaterThanOrEqual(10);
  const cutAt = await studio.train.step();
  await page.reload();
  expect(cutAt).toBeLessThan(20);
  // Weights and AdamW's two moments at least, four bytes each.
  expect(checkpoint!.bytes).toBeGreaterThan(3 * 4 * parameters);

  await expect.poll(() => studio.train.resumeOffers(), { timeout: 60_000 }).toHaveLength(1);
  const from = await studio.train.resumeFromCheckpoint();
  expect(from).toBeGreaterThanOrEqual(10);
  await expect.poll(async () => (await studio.train.stats()).backend, { timeout: 120_000 }).toBe('webgpu');
  await studio.train.waitForState('done');
  expect(await studio.train.resumeOffers()).toEqual([]);
  expectSameLosses(await studio.train.losses(), uninterrupted);
  // After the checkpoint the steps were computed again, not copied: the last one is the resumed run's own.
  expect(await studio.train.step()).toBe(20);

  // A project file saved at a pause continues in a fresh browser (another profile) to the same losses.
  await studio.train.start();
  await studio.train.waitForStep(5);
  await studio.train.pause();
  const projectFile = await studio.export.project();
  expect(projectFile.suggestedFilename()).toMatch(/^dot-margin-mse-step\d+\.msproject$/);
  const project = readFileSync(await projectFile.path());
  await studio.train.stop();

  const elsewhere = await page.context().browser()!.newContext();
  const other = new StudioPage(await elsewhere.newPage());
  await other.open();
  await other.data.waitForDemo();
  await other.export.loadWeights([{ name: projectFile.suggestedFilename(), mimeType: 'application/octet-stream', buffer: project }]);
  await expect.poll(() => other.train.resumeOffers()).toHaveLength(1);
  expect(await other.train.resumeFromCheckpoint()).toBeGreaterThanOrEqual(5);
  await other.train.waitForState('done');
  expectSameLosses(await other.train.losses(), uninterrupted);
  await elsewhere.close();
});
