/**
 * Issue 21: a run never hangs in silence. A config that cannot fit is refused before any GPU work, with the reason
 * and the micro-batch that fits; a GPU device lost mid-run (destroyed through the page's test hook, as a driver
 * reset would) stops the run with a message, keeps its checkpoint for resuming, and the run resumes on a new device.
 * Along the way the memory plan is compared with the GPU buffers tfjs really held, and tfjs's pool is seen trimmed.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

/** The page's test hook (state/test-hooks.ts, with `?test-hooks`): makes the worker's WebGPU device fail. */
function gpuFault(page: Page, fault: 'lose-device' | 'validation-error'): Promise<boolean> {
  return page.evaluate((f) => (globalThis as unknown as { marginStudioTest: { gpuFault(fault: string): Promise<boolean> } }).marginStudioTest.gpuFault(f), fault);
}

const TINY = {
  'arch-select': 'dot',
  'loss-select': 'margin-mse',
  'config-steps': 30,
  'config-batch-size': 8,
  'config-seed': 3,
  'config-hidden': 16,
  'config-heads': 2,
  'config-ffn': 32,
  'config-layers': 1,
  'config-query-length': 8,
  'config-passage-length': 24,
  'config-probe-size': 32,
  'config-eval-every': 0,
  'config-checkpoint-every': 2,
};

test('a run that cannot fit is refused with the micro-batch that fits, before any GPU work', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  await expect.poll(async () => (await studio.train.adapter()).state, { timeout: 30_000 }).toBe('ready');
  // Batch 4096 of 512-token passages: 8192 sequences' attention scores alone are 8192 × 2 × 512² × 4 bytes = 17 GB.
  await studio.train.configure({ ...TINY, 'config-batch-size': 4096, 'config-query-length': 64, 'config-passage-length': 512 });
  await expect.poll(async () => (await studio.train.memoryPlan()).fits).toBe(false);
  const plan = await studio.train.memoryPlan();
  expect(plan.microBatch).toBeGreaterThan(0);
  expect(4096 % plan.microBatch).toBe(0);
  expect(plan.reason).toContain(`a micro-batch of ${plan.microBatch} fits`);

  await studio.train.start();
  await studio.train.waitForState('error', 120_000);
  // The worker plans again on the device it got, with the same limits, and says the same.
  const error = await studio.train.error();
  expect(error).toContain('does not fit the device, by its memory plan (nothing was run on the GPU)');
  expect(error).toContain(`a micro-batch of ${plan.microBatch} fits`);
  const stats = await studio.train.stats();
  expect(stats.step).toBe(0);
  // Nothing ran: the run never got as far as a backend of its own.
  expect(stats.backend).toBe('–');
});

test('a GPU device lost mid-run stops the run with a message, and it resumes from its checkpoint on a new device', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open('/?test-hooks');
  await studio.data.waitForDemo();
  await studio.train.configure(TINY);
  await expect.poll(async () => (await studio.train.memoryPlan()).fits).toBe(true);
  const plan = await studio.train.memoryPlan();
  const adapter = await studio.train.adapter();
  expect(plan.limit).toBe(Math.min(adapter.maxStorageBinding, adapter.maxBuffer));
  expect(plan.bytes).toBeGreaterThan(0);

  await studio.train.start();
  await expect.poll(async () => (await studio.train.checkpoint())?.step ?? 0, { timeout: 240_000, intervals: [100] }).toBeGreaterThanOrEqual(4);
  // What tfjs held on the GPU so far, against the plan.
  const { peak, peakUsed } = await studio.train.gpuMemory();
  console.log(`planned ${plan.bytes} bytes; tfjs had at most ${peakUsed} in use at once, held at most ${peak} after a step`);
  // Measured here (SwiftShader): planned 5.56 MB, at most 5.02 MB in use (0.90); held to a factor of 1.5 either way.
  expect(peakUsed / plan.bytes).toBeGreaterThan(1 / 1.5);
  expect(peakUsed / plan.bytes).toBeLessThan(1.5);
  expect(peak).toBeGreaterThanOrEqual(peakUsed);

  expect(await gpuFault(page, 'lose-device')).toBe(true);
  await studio.train.waitForState('error', 120_000);
  const error = await studio.train.error();
  expect(error).toContain('the GPU device was lost');
  expect(error).toContain('its last checkpoint is kept and offered for resuming');
  await expect.poll(() => studio.train.resumeOffers(), { timeout: 30_000 }).toHaveLength(1);
  const from = await studio.train.resumeFromCheckpoint();
  expect(from).toBeGreaterThanOrEqual(4);
  expect(from).toBeLessThan(30);

  await studio.train.waitForState('done');
  expect(await studio.train.step()).toBe(30);
  // The probe's sizes (32 triples) differ from a step's (8): the pool let buffers go rather than keep every size.
  expect((await studio.train.gpuMemory()).released).toBeGreaterThan(0);
});

test('a WebGPU error nobody caught stops the run with what failed, instead of running on in silence', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open('/?test-hooks');
  await studio.data.waitForDemo();
  await studio.train.configure({ ...TINY, 'config-steps': 200 });
  await studio.train.start();
  await studio.train.waitForStep(2);
  expect(await gpuFault(page, 'validation-error')).toBe(true);
  await studio.train.waitForState('error', 120_000);
  const error = await studio.train.error();
  expect(error).toContain('a WebGPU error nobody caught (GPUValidationError)');
  expect(error).toContain('The run stopped');
  expect(await studio.train.step()).toBeLessThan(200);
});
