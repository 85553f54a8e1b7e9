/**
 * The fused WebGPU kernels at the widths of real checkpoints (SwiftShader here), through the kernel lab page: a
 * DistilBERT-wide encoder against tfjs's CPU backend, the programs whose thread counts pass 65,535 workgroups against
 * the stock ops, and a MiniLM-shaped student's first training steps against the CPU backend. Weights are drawn in
 * the page from seeds; nothing large is stored.
 */
import { expect, test, type Page } from '@playwright/test';
import { openLab } from '../scripts/lab.mjs';

async function lab(page: Page) {
  page.on('pageerror', (err) => console.log(`[lab page error] ${err.message}`));
  await openLab(page, new URL('/', test.info().project.use.baseURL ?? 'http://127.0.0.1').href);
}

test('a DistilBERT-wide encoder (768 wide, 12 heads, FFN 3072, 2 layers, 2 × 232 tokens) matches the CPU backend within 1e-4', async ({ page }) => {
  await lab(page);
  const r = await page.evaluate(() => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.encoderParity({ hidden: 768, heads: 12, ffn: 3072, layers: 2, vocabSize: 30_522, batch: 2, length: 232, seed: 21 });
  });
  console.log(`encoder parity: max |webgpu − cpu| ${r.maxAbsDiff.toExponential(2)}, max |cpu| ${r.maxAbsCpu.toFixed(2)}, relative ${r.relative.toExponential(2)}; cpu ${r.seconds.cpu.toFixed(1)} s, webgpu ${r.seconds.webgpu.toFixed(1)} s`);
  expect(r.shape).toEqual([2, 232, 768]);
  // Every linear layer, LayerNorm, attention and the GELU ran fused: 2 layers of at least 12 programs each.
  expect(r.fusedPrograms).toBeGreaterThan(24);
  // The last hidden state is LayerNorm'd (unit scale), so an absolute bound is a bound relative to the values'
  // scale; float32 sums of 3,072 terms in another order differ by ~1e-6.
  expect(r.maxAbsCpu).toBeGreaterThan(1);
  expect(r.maxAbsDiff).toBeLessThan(1e-4);
});

test('programs past 65,535 workgroups (AdamW and the embedding gradient over 30,522 × 384, GELU over 4.3M) match the stock ops', async ({ page }) => {
  await lab(page);
  const r = await page.evaluate(() => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.largeDispatchChecks();
  });
  expect(r.backend).toBe('webgpu');
  const names = r.checks.map((c) => c.name);
  for (const kernel of ['gelu', 'embeddingLookup', 'AdamW', 'split-K']) expect(names.some((n) => n.startsWith(kernel)), `a check of ${kernel}`).toBe(true);
  for (const check of r.checks) {
    console.log(`${check.name}: ${check.errors.map((e) => `${e.tensor} ${e.error.toExponential(2)}`).join('; ')}; ${check.fusedPrograms} fused programs`);
    expect(check.fusedPrograms, `${check.name} ran fused programs`).toBeGreaterThan(0);
    for (const e of check.errors) expect(e.error, `${check.name}: ${e.tensor}`).toBeLessThan(1e-4);
  }
});

test('a MiniLM-shaped student (384 wide, 6 layers, 12 heads, FFN 1536, 30,522 tokens) trains 2 steps with the CPU backend\'s losses', async ({ page }) => {
  await lab(page);
  const config = { arch: 'dot', batchSize: 2, queryLength: 8, passageLength: 32, hidden: 384, heads: 12, ffn: 1536, layers: 6, learningRate: 1e-3, seed: 8 } as const;
  const r = await page.evaluate((c) => {
    const l = window.marginLab;
    if (!l) throw new Error('no lab');
    return l.lossesOnCpuAndWebGpu(c, 2, 30_522);
  }, config);
  console.log(`MiniLM-shaped: ${r.parameters.toLocaleString('en')} parameters; cpu ${r.cpu.join(', ')} (${r.seconds.cpu.toFixed(0)} s); webgpu ${r.webgpu.join(', ')} (${r.seconds.webgpu.toFixed(0)} s)`);
  // 30,522 × 384 token embeddings and six layers of 4·384² + 2·384·1536 weights, with biases and norms.
  expect(r.parameters).toBeGreaterThan(22_000_000);
  expect(r.fusedPrograms).toBeGreaterThan(2 * 6 * 10);
  expect(r.cpu).toHaveLength(2);
  expect(r.webgpu).toHaveLength(2);
  r.cpu.forEach((c, i) => {
    const g = r.webgpu[i] as number;
    expect(Number.isFinite(g), `step ${i + 1} webgpu loss ${g}`).toBe(true);
    expect(Math.abs(g - c) / Math.max(Math.abs(c), 1e-6), `step ${i + 1}: webgpu ${g}, cpu ${c}`).toBeLessThan(1e-3);
  });
});
