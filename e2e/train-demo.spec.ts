import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('loads the demo and trains a dot student with Margin-MSE on WebGPU', async ({ page, baseURL }) => {
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const origin = new URL(baseURL ?? 'http://127.0.0.1').origin;
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  page.on('worker', (worker) => {
    worker.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[worker] ${msg.text()}`);
    });
  });
  page.context().on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol.startsWith('http') && url.origin !== origin) foreignRequests.push(req.url());
  });

  const studio = new StudioPage(page);
  await studio.open();
  // A first visit with no data loads the demo by itself.
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await studio.data.loadDemo();
  expect(await studio.data.count('passages')).toBe(2000);
  expect(await studio.data.count('queries')).toBe(450);
  expect(await studio.data.count('triples')).toBe(3200);
  expect(await studio.data.count('qrels')).toBeGreaterThanOrEqual(50);
  expect(await studio.data.count('candidates')).toBe(5000);

  // Small shapes: WebGPU on SwiftShader (no GPU) runs at a few hundred MFLOP/s.
  await studio.train.configure({
    'config-steps': 40,
    'config-batch-size': 8,
    'config-learning-rate': 0.003,
    'config-seed': 7,
    'config-hidden': 32,
    'config-layers': 1,
    'config-passage-length': 32,
    'config-probe-size': 48,
    'config-backend': 'auto',
  });
  // Before Train the probe's cost is known in steps (48 triples forward against 8 forward and backward: 2 steps),
  // and in seconds only once a step of this shape has been timed.
  await expect.poll(() => studio.train.probeCost()).toEqual({ stepsEach: 2, secondsEach: null });
  await studio.train.start();
  await expect.poll(async () => (await studio.train.stats()).backend, { timeout: 120_000 }).toBe('webgpu');

  await studio.train.waitForStep(20);
  await studio.train.pause();
  const atPause = await studio.train.tensorCount();
  expect(atPause.step).toBeGreaterThanOrEqual(20);
  expect(atPause.step).toBeLessThan(40);
  await studio.train.resume();
  await studio.train.waitForState('done');
  const atEnd = await studio.train.tensorCount();
  expect(atEnd.step).toBe(40);
  expect(atEnd.count).toBeGreaterThan(0);
  expect(atEnd.count).toBeLessThanOrEqual(atPause.count);

  const losses = await studio.train.losses();
  expect(losses).toHaveLength(40);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
  const stats = await studio.train.stats();
  expect(stats.step).toBe(40);
  expect(stats.throughput).toBeGreaterThan(0);
  // The run timed its steps: the probe's cost now shows in seconds, its steps' worth times the measured step time.
  const stepsPerSecond = (await studio.train.triplesPerSecond()) / 8;
  expect(stepsPerSecond).toBeGreaterThan(0);
  expect((await studio.train.probeCost()).secondsEach).toBeCloseTo(2 / stepsPerSecond, 6);

  for (const id of ['margin-histogram', 'score-histogram']) {
    await expect.poll(async () => (await studio.train.histogramDrawn(id)).rendered).toBe(true);
    expect((await studio.train.histogramDrawn(id)).bars).toBeGreaterThan(0);
  }
  // The student's scores live at a magnitude of their own, not the teacher's: Margin-MSE fits margins, so nothing
  // pulls the student's level to the teacher's (demo teacher ≈ 5 ± 3.3 on this probe set; this student ≈ 10 ± 2.3).
  // Were the student's panel to show the teacher's scores, or the student fitted to raw scores, the means would meet.
  const teacher = await studio.train.histogramStats('score-histogram-teacher');
  const student = await studio.train.histogramStats('score-histogram-student');
  expect(teacher.mean).toBeGreaterThan(0);
  expect(student.count).toBe(teacher.count);
  expect(Number.isFinite(student.mean)).toBe(true);
  expect(student.std).toBeGreaterThan(0);
  expect(Math.abs(student.mean - teacher.mean)).toBeGreaterThan(teacher.std);

  expect(consoleErrors).toEqual([]);
  expect(foreignRequests).toEqual([]);
});
