/**
 * The fused WebGPU kernels against tfjs's stock ops, on real WebGPU (SwiftShader here) through the kernel lab page
 * (lab.html): each kernel's values and gradients, AdamW steps, and whole training runs from the same seed.
 */
import { expect, test, type Page } from '@playwright/test';
import { openLab } from '../scripts/lab.mjs';

async function lab(page: Page) {
  page.on('pageerror', (err) => console.log(`[lab page error] ${err.message}`));
  await openLab(page, new URL('/', test.info().project.use.baseURL ?? 'http://127.0.0.1').href);
}

test('every fused kernel matches the stock ops in values and gradients (within 1e-4 relative)', async ({ page }) => {
  await lab(page);
  const result = await page.evaluate(async () => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    // Start WebGPU the way a run does (a run would also refuse anything else).
    await l.lossesBothWays({ backend: 'webgpu', batchSize: 2, hidden: 8, heads: 2, ffn: 8, queryLength: 4, passageLength: 6 }, 1);
    return l.checkKernels();
  });
  expect(result.backend).toBe('webgpu');
  const names = result.checks.map((c) => c.name);
  for (const kernel of ['layerNorm', 'attentionProbs', 'gelu', 'embeddingLookup', 'linear', 'maskedMeanPool', 'batchMatMul', 'AdamW']) {
    expect(names.some((n) => n.startsWith(kernel)), `a check of ${kernel}`).toBe(true);
  }
  for (const check of result.checks) {
    expect(check.fusedPrograms, `${check.name} ran fused programs`).toBeGreaterThan(0);
    // The output and at least one gradient (or both AdamW weights) were compared.
    expect(check.errors.length, check.name).toBeGreaterThanOrEqual(2);
    for (const e of check.errors) expect(e.error, `${check.name}: ${e.tensor}`).toBeLessThan(1e-4);
  }
});

test('20 training steps from the same seed give the same losses on both paths (within 1e-3 relative)', async ({ page }) => {
  await lab(page);
  const config = { backend: 'webgpu', arch: 'dot', batchSize: 4, hidden: 16, heads: 2, ffn: 32, layers: 2, queryLength: 6, passageLength: 12, learningRate: 0.003, seed: 3 } as const;
  const runs = await page.evaluate((c) => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.lossesBothWays(c, 20);
  }, config);
  expect(runs.backend).toBe('webgpu');
  expect(runs.fusedPrograms.stock).toBe(0);
  expect(runs.fusedPrograms.fused).toBeGreaterThan(20 * 10);
  expect(runs.stock).toHaveLength(20);
  expect(runs.fused).toHaveLength(20);
  runs.stock.forEach((s, i) => {
    const f = runs.fused[i] as number;
    expect(Number.isFinite(f), `step ${i + 1} fused loss ${f}`).toBe(true);
    expect(Math.abs(f - s) / Math.max(Math.abs(s), 1e-6), `step ${i + 1}: fused ${f}, stock ${s}`).toBeLessThan(1e-3);
  });
});

test('the cat student (joined [CLS] q [SEP] p sequences) gives the same losses on both paths', async ({ page }) => {
  await lab(page);
  const steps = 5;
  const runs = await page.evaluate((n) => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.lossesBothWays({ backend: 'webgpu', arch: 'cat', batchSize: 4, hidden: 16, heads: 2, ffn: 32, layers: 1, queryLength: 6, passageLength: 12, seed: 4 }, n);
  }, steps);
  expect(runs.backend).toBe('webgpu');
  expect(runs.fusedPrograms.stock).toBe(0);
  expect(runs.fusedPrograms.fused).toBeGreaterThan(0);
  // A loss for every step on both paths: comparing two empty lists would pass.
  expect(runs.stock).toHaveLength(steps);
  expect(runs.fused).toHaveLength(steps);
  runs.stock.forEach((s, i) => {
    const f = runs.fused[i] as number;
    expect(Number.isFinite(s) && Number.isFinite(f), `step ${i + 1}: fused ${f}, stock ${s}`).toBe(true);
    expect(Math.abs(f - s) / Math.max(Math.abs(s), 1e-6), `step ${i + 1}: fused ${f}, stock ${s}`).toBeLessThan(1e-3);
  });
});

test('a batch of 8 trained as 4 micro-batches of 2 with the fused kernels takes the update of the whole batch (within 1e-5 relative)', async ({ page }) => {
  await lab(page);
  const check = await page.evaluate(() => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.accumulationCheck({ backend: 'webgpu', arch: 'dot', batchSize: 8, microBatch: 2, hidden: 8, heads: 2, ffn: 16, layers: 1, queryLength: 4, passageLength: 8, learningRate: 0.003, seed: 5 }, 2);
  });
  expect(check.backend).toBe('webgpu');
  expect(check.fusedPrograms).toBeGreaterThan(0);
  check.whole.forEach((w, i) => {
    const a = check.accumulated[i] as number;
    expect(Math.abs(a - w) / Math.abs(w), `step ${i + 1}: accumulated ${a}, whole ${w}`).toBeLessThan(1e-5);
  });
  expect(check.errors.length).toBeGreaterThan(5);
  for (const e of check.errors) expect(e.error, e.name).toBeLessThan(1e-5);
  // The weights did move, far beyond the tolerance.
  expect(check.moved).toBeGreaterThan(1e-3);
});
