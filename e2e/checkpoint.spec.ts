import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

test('a run cut off by a reload resumes from its checkpoint with the losses of an uninterrupted run', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
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
  await studio.byTestId('train-start').click();
  await studio.train.waitForState('done');
  const uninterrupted = await studio.train.losses();
  expect(uninterrupted).toHaveLength(20);

  await studio.byTestId('train-start').click();
  await expect.poll(async () => Number((await studio.byTestId('checkpoint-status').getAttribute('data-step').catch(() => '0')) ?? 0), { timeout: 240_000, intervals: [100] }).toBeGreaterThanOrEqual(10);
  expect(await studio.train.step()).toBeLessThan(20);
  const checkpointBytes = Number(await studio.byTestId('checkpoint-status').getAttribute('data-bytes'));
  expect(checkpointBytes).toBeGreaterThan(3 * 4 * Number(await studio.byTestId('param-count').textContent()));
  await page.reload();

  const offer = studio.byTestId('resume-offer');
  await expect(offer).toHaveCount(1, { timeout: 60_000 });
  const from = Number(await offer.getAttribute('data-step'));
  expect(from).toBeGreaterThanOrEqual(10);
  await studio.byTestId('checkpoint-resume').click();
  await expect(studio.byTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });
  await studio.train.waitForState('done');
  await expect(studio.byTestId('resume-offer')).toHaveCount(0);
  const resumed = await studio.train.losses();
  expect(resumed).toHaveLength(20);
  resumed.forEach((l, i) => expect(Math.abs(l - (uninterrupted[i] as number)), `step ${i + 1}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(uninterrupted[i] as number))));
  // After the checkpoint the steps were computed again, not copied: the last one is the resumed run's own.
  expect(Number(await studio.byTestId('train-step').textContent())).toBe(20);

  // A project file saved at a pause continues in a fresh browser (another profile) to the same losses.
  await studio.byTestId('train-start').click();
  await studio.train.waitForStep(5);
  await studio.byTestId('train-pause').click();
  await studio.train.waitForState('paused');
  const [projectFile] = await Promise.all([page.waitForEvent('download'), studio.byTestId('export-project').click()]);
  expect(projectFile.suggestedFilename()).toMatch(/^dot-margin-mse-step\d+\.msproject$/);
  const project = readFileSync(await projectFile.path());
  await studio.byTestId('train-stop').click();
  await studio.train.waitForState('stopped');

  const elsewhere = await page.context().browser()!.newContext();
  const other = new StudioPage(await elsewhere.newPage());
  await other.open();
  await expect.poll(() => other.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await other.byTestId('import-weights').setInputFiles([{ name: projectFile.suggestedFilename(), mimeType: 'application/octet-stream', buffer: project }]);
  const projectOffer = other.byTestId('resume-offer');
  await expect(projectOffer).toHaveCount(1);
  const at = Number(await projectOffer.getAttribute('data-step'));
  expect(at).toBeGreaterThanOrEqual(5);
  await other.byTestId('checkpoint-resume').click();
  await other.train.waitForState('done');
  const continued = await other.train.losses();
  expect(continued).toHaveLength(20);
  continued.forEach((l, i) => expect(Math.abs(l - (uninterrupted[i] as number)), `step ${i + 1}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(uninterrupted[i] as number))));
  await elsewhere.close();
});
