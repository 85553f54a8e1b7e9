// The five students side by side on one fixed config: parameters, triples per second, and the loss after a fixed
// number of steps with Margin-MSE and with RankNet, trained as a grid through the studio page in headless Chromium
// (the same code a person uses). On a machine without a GPU, WebGPU runs on SwiftShader.
// Usage: npm run bench:students [-- --steps 30 --data ../shared/fixtures/nq-sample --port 4177]
// Needs the built app (npm run bench:students builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { resolve } from 'node:path';
import { flags, openStudio } from './lib.mjs';

const args = flags();
const STEPS = Number(args.steps ?? 30);
const DATA = resolve(args.data ?? `${process.env.MARGIN_FIXTURES ?? '../shared/fixtures'}/nq-sample`);
const ARCHS = ['dot', 'colbert', 'tk', 'prett', 'cat'];
const LOSSES = ['margin-mse', 'ranknet'];
const CONFIG = {
  'config-steps': STEPS,
  'config-batch-size': 8,
  'config-learning-rate': 0.005,
  'config-seed': 5,
  'config-hidden': 16,
  'config-heads': 2,
  'config-ffn': 32,
  'config-layers': 1,
  'config-joint-layers': 1,
  'config-compress-dim': 32,
  'config-query-length': 8,
  'config-passage-length': 24,
  'config-probe-size': 32,
  'config-eval-every': 0,
  'config-backend': 'auto',
};

const { context, page, get } = await openStudio(Number(args.port ?? 4177), 'students');
try {
  await get('import-files').setInputFiles(['collection.tsv', 'queries.tsv', 'teacher-ids.tsv'].map((f) => `${DATA}/${f}`));
  await page.locator('[data-testid="import-status"][data-state="done"]').waitFor({ timeout: 300_000 });
  const summary = get('dataset-summary');
  console.log(`data: ${DATA.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}: ${await summary.getAttribute('data-passages')} passages, ${await summary.getAttribute('data-triples')} triples`);
  const fill = async (id, value) => {
    const el = get(id);
    if ((await el.evaluate((n) => n.tagName)) === 'SELECT') await el.selectOption(String(value));
    else await el.fill(String(value));
  };
  // Fields shown for one architecture only are filled while it is selected; the grid sets the architecture itself.
  const ONLY = { 'config-compress-dim': 'colbert', 'config-joint-layers': 'prett' };
  for (const [id, value] of Object.entries(CONFIG)) {
    if (ONLY[id]) await get('arch-select').selectOption(ONLY[id]);
    await fill(id, value);
  }
  for (const a of ARCHS) if (!(await get(`grid-arch-${a}`).isChecked())) await get(`grid-arch-${a}`).click();
  for (const l of ['margin-mse', 'mse', 'weighted-ranknet', 'ranknet']) {
    if ((await get(`grid-loss-${l}`).isChecked()) !== LOSSES.includes(l)) await get(`grid-loss-${l}`).click();
  }
  const started = Date.now();
  await get('grid-start').click();
  const progress = get('grid-progress');
  let last = '';
  for (;;) {
    const state = await progress.getAttribute('data-state').catch(() => null);
    const text = await progress.textContent().catch(() => '');
    if (text && text !== last) console.log(`  [${((Date.now() - started) / 1000).toFixed(0)} s] ${text}`);
    last = text ?? '';
    if (state && state !== 'running') break;
    await page.waitForTimeout(2000);
  }
  if ((await progress.getAttribute('data-state')) !== 'done') throw new Error(`grid did not finish: ${await progress.textContent()}`);
  console.log(`backend: ${await get('backend').textContent()}`);
  const rows = await get('run-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      arch: tr.getAttribute('data-arch'),
      loss: tr.getAttribute('data-loss'),
      params: Number(tr.getAttribute('data-params')),
      steps: Number(tr.getAttribute('data-steps')),
      lossLast10: Number(tr.getAttribute('data-final-loss')),
      lossFirst10: Number(tr.getAttribute('data-first-loss')),
      triplesPerSecond: Number(tr.getAttribute('data-triples-per-second')),
    })),
  );
  console.log(`\nconfig: ${STEPS} steps, batch 8, hidden 16, 2 heads, ffn 32, 1 layer (+1 joint for prett), colbert dim 32, query 8 / passage 24 tokens, lr 0.005, seed 5`);
  console.log('| student | parameters | triples/s (margin-mse run) | margin-mse loss, first 10 → last 10 steps | ranknet loss, first 10 → last 10 steps |');
  console.log('|---|---|---|---|---|');
  for (const arch of ARCHS) {
    const m = rows.find((r) => r.arch === arch && r.loss === 'margin-mse');
    const k = rows.find((r) => r.arch === arch && r.loss === 'ranknet');
    const f = (r) => (r ? `${r.lossFirst10.toPrecision(4)} → ${r.lossLast10.toPrecision(4)}` : 'missing');
    console.log(`| ${arch} | ${m?.params.toLocaleString('en')} | ${m?.triplesPerSecond.toFixed(1)} | ${f(m)} | ${f(k)} |`);
  }
  console.log(`\ngrid wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await context.close();
}
process.exit(0);
