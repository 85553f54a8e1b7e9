// Training at real size (issue 21): `dot` students with the encoder shapes of MiniLM-L6 (hidden 384, 6 layers,
// 12 heads, FFN 1536) and DistilBERT (hidden 768, 6 layers, 12 heads, FFN 3072), BERT's 30,522-id vocabulary, at the
// paper's lengths (query 30, passage 200), in headless Chromium on WebGPU (SwiftShader where there is no GPU). Prints:
// 1. a plain 512³ matrix product's GFLOP/s on the same adapter, tfjs's and the studio's fused program (the ceiling);
// 2. per shape and kernel path, the studio's Trainer step (Margin-MSE, Adam) in the kernel lab page: triples/s, the
//    step's GFLOP/s (src/lab/flops.ts) and its share of the best plain matmul (target: ≥ 70 %);
// 3. evaluation's forward passes at the first shape: pairs scored and passages encoded per second;
// 4. the same student and step in PyTorch on this machine's CPU (bench/torch/dot_student.py, torch ≥ 2).
// Weights are random: the studio's own from-scratch student (pre-norm transformer, ReLU feed-forward, mean pooling)
// built at these shapes, on the demo data tokenized with bert-base-uncased and padded to the full lengths, so a
// step does a real-size step's arithmetic. It is not a pretrained checkpoint's post-norm GELU encoder (that needs a
// model folder); its matrix products, which are nearly all of the FLOPs, have the same shapes.
// SwiftShader runs about 1 GFLOP/s: one MiniLM-shaped triple is ~30 GFLOP, so the defaults are batch 1, 1 timed
// step after 1 warm-up (bench/gpu/real-size.mjs runs batch 32 on a real GPU).
// Usage: npm run bench:real-size [-- --shapes minilm,distilbert --batch 1 --steps 1 --warmup 1 --kernels fused,stock
//        --stock-shapes minilm --query 30 --passage 200 --matmul 512 --eval-batch 2 --torch auto|skip --torch-steps 1
//        --port 5180]
// Needs the built app (npm run bench:real-size builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchLab } from '../scripts/lab.mjs';
import { torchPython } from './lib.mjs';
import { PASSAGE_LENGTH, QUERY_LENGTH, runConfigOf, shapeOf, SHAPES, VOCAB_TOKENIZER } from './real-size-shapes.mjs';

const args = flagsOrExit('npm run bench:real-size --', {
  shapes: { type: 'list', choices: Object.keys(SHAPES), default: Object.keys(SHAPES) },
  batch: { type: 'integer', min: 1, default: 1, help: 'triples a step (SwiftShader: ~30 s a MiniLM triple, ~2 min a DistilBERT one)' },
  steps: { type: 'integer', min: 1, default: 1, help: 'timed steps per shape and kernel path' },
  warmup: { type: 'integer', min: 1, default: 1, help: 'untimed steps before them (shader compilation)' },
  kernels: { type: 'list', choices: ['fused', 'stock'], default: ['fused', 'stock'] },
  'stock-shapes': { type: 'list', choices: Object.keys(SHAPES), default: ['minilm'], help: 'shapes the stock kernels run at (a DistilBERT stock step is ~15 min on SwiftShader)' },
  query: { type: 'integer', min: 1, default: QUERY_LENGTH, help: 'query tokens' },
  passage: { type: 'integer', min: 1, default: PASSAGE_LENGTH, help: 'passage tokens' },
  matmul: { type: 'integer', min: 0, default: 512, help: 'the plain product\'s size n (n×n by n×n; 0: skip)' },
  'eval-batch': { type: 'integer', min: 0, default: 2, help: 'pairs / passages a batch in part 3, first shape, fused (0: skip)' },
  torch: { choices: ['auto', 'skip'], default: 'auto', help: 'part 4 (auto: install the torch wheel into bench/out/ if missing)' },
  'torch-steps': { type: 'integer', min: 1, default: 1, help: 'timed PyTorch steps per shape (after 1 warm-up)' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

/** @param {number | null | undefined} x @param {number} [digits] */
const fmt = (x, digits = 2) => (x === null || x === undefined ? '–' : x.toFixed(digits));
const started = Date.now();
const shapeLine = (/** @type {import('./real-size-shapes.mjs').Shape} */ s) => `hidden ${s.hidden}, ${s.layers} layers, ${s.heads} heads, FFN ${s.ffn}`;

console.log(`# Real size: dot students at query ${args.query} / passage ${args.passage}, batch ${args.batch}, vocabulary 30,522 (bert-base-uncased)`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(', ')}; ${new Date().toISOString()}`);
console.log('weights: random, the studio\'s from-scratch dot student (pre-norm, ReLU FFN, mean pooling) at these shapes; demo data padded to the full lengths');

const { page, close } = await launchLab(args.port === undefined ? {} : { port: args.port });
/** @type {Record<string, { flops: number }>} */
const flopsOf = {};
try {
  const adapter = await page.evaluate(async () => {
    // GPUAdapter.info is newer than the WebGPU types this project has.
    const a = /** @type {(GPUAdapter & { info?: { vendor?: string, architecture?: string, description?: string } }) | null | undefined} */ (await navigator.gpu?.requestAdapter());
    const info = a?.info;
    return a ? [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' / ') || 'unnamed adapter' : 'no WebGPU adapter';
  });
  console.log(`adapter: ${adapter}`);

  // 1. The ceiling, timed before the steps and again after them: on a shared machine one short timing can land in a
  // busy moment, and the better of the two is the fairer ceiling.
  /** @type {number | null} */
  let bestMatmul = null;
  /** @param {string} when */
  const timeMatmul = async (when) => {
    if (args.matmul <= 0) return;
    const rates = await page.evaluate((n) => window.marginLab?.matmulRate({ size: n, reps: 4 }), args.matmul);
    if (!rates) throw new Error('the lab page has no matmulRate');
    console.log(`\n## ${when}: a plain ${args.matmul}×${args.matmul} by ${args.matmul}×${args.matmul} matrix product on ${rates[0]?.backend} (1 untimed, then 4 timed)`);
    console.log('| program | GFLOP/s |');
    console.log('|---|---|');
    for (const r of rates) console.log(`| ${r.kernels === 'fused' ? 'the studio\'s fused matmul' : 'tfjs matMul (stock)'} | ${fmt(r.gflops)} |`);
    bestMatmul = Math.max(bestMatmul ?? 0, ...rates.map((r) => r.gflops));
  };
  await timeMatmul('1. Before the steps');
  /** Part 2's rows, printed once the second matmul timing has fixed the ceiling. @type {{ cells: string, gflops: number, tensors: string }[]} */
  const stepRows = [];

  // 2. The training step.
  for (const name of args.shapes) {
    const shape = shapeOf(name);
    for (const kernels of args.kernels) {
      if (kernels === 'stock' && !args['stock-shapes'].includes(name)) continue;
      const config = runConfigOf(shape, { batch: args.batch, query: args.query, passage: args.passage, kernels });
      const t0 = Date.now();
      const r = await page.evaluate(
        ([c, s, w, tok]) => window.marginLab?.throughput(/** @type {any} */ (c), { steps: Number(s), warmup: Number(w), tokenizer: /** @type {any} */ (tok) }),
        /** @type {const} */ ([config, args.steps, args.warmup, VOCAB_TOKENIZER]),
      );
      if (!r) throw new Error('the lab page has no throughput');
      const flops = await page.evaluate((c) => window.marginLab?.trainingStepFlops(/** @type {any} */ (c)) ?? null, config);
      if (flops === null) throw new Error('no FLOP count for the dot student');
      flopsOf[name] = { flops };
      const gflops = (flops * r.triplesPerSecond) / r.batchSize / 1e9;
      const cells = `| ${shape.label} (${shapeLine(shape)}) | ${kernels} | ${r.parameters.toLocaleString('en')} | ${r.batchSize} | ${fmt(r.seconds / r.steps, 1)} | ${fmt(r.triplesPerSecond, 3)} | ${fmt(flops / 1e9, 1)} | ${fmt(gflops)} |`;
      stepRows.push({ cells, gflops, tensors: `${r.tensorsBefore} → ${r.tensorsAfter}` });
      console.error(`  [${((Date.now() - started) / 1000).toFixed(0)} s] ${name} ${kernels}: ${((Date.now() - t0) / 1000).toFixed(0)} s with warm-up and set-up; vocabulary ${r.vocabSize}`);
    }
  }

  await timeMatmul('1. After the steps');
  console.log(`\n## 2. One training step (Margin-MSE, Adam), the studio's Trainer, ${args.warmup} warm-up step(s) then ${args.steps} timed`);
  console.log('| shape | kernels | parameters | batch | s / step | triples/s | GFLOP / step | step GFLOP/s | of best plain matmul | tensors before → after |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const best = /** @type {number | null} */ (bestMatmul);
  for (const { cells, gflops, tensors } of stepRows) console.log(`${cells} ${best ? `${fmt((100 * gflops) / best, 0)} %` : '–'} | ${tensors} |`);

  // 3. Evaluation's forward passes.
  const first = args.shapes[0];
  if (args['eval-batch'] > 0 && first) {
    const shape = shapeOf(first);
    const config = runConfigOf(shape, { batch: args['eval-batch'], query: args.query, passage: args.passage, kernels: 'fused' });
    const r = await page.evaluate(
      ([c, b, tok]) => window.marginLab?.inferenceRate(/** @type {any} */ (c), { batch: Number(b), reps: 1, tokenizer: /** @type {any} */ (tok) }),
      /** @type {const} */ ([config, args['eval-batch'], VOCAB_TOKENIZER]),
    );
    if (!r) throw new Error('the lab page has no inferenceRate');
    console.log(`\n## 3. Evaluation at the ${shape.label}, fused, forward only (batches of ${r.batch}: 1 untimed, 1 timed)`);
    console.log(`pairs scored / s (re-ranking, query ${args.query} + passage ${args.passage}): ${fmt(r.pairsPerSecond, 3)}`);
    console.log(`passages encoded / s (dense search, ${args.passage} tokens): ${fmt(r.passagesPerSecond, 3)}`);
  }
} finally {
  await close();
}

// 4. PyTorch on this machine's CPU, the same student, step, batch and lengths.
console.log('\n## 4. The same students and step in PyTorch on this machine\'s CPU (bench/torch/dot_student.py)');
if (args.torch === 'skip') {
  console.log('skipped (--torch skip)');
} else {
  const python = torchPython();
  if (!python) {
    console.log('no PyTorch ≥ 2 here (see above): rows left out');
  } else {
    console.log('| shape | torch | threads | parameters | batch | s / step | triples/s | step GFLOP/s |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const name of args.shapes) {
      const cli = ['bench/torch/dot_student.py', '--config', name, '--batch', String(args.batch), '--query', String(args.query), '--passage', String(args.passage), '--steps', String(args['torch-steps']), '--warmup', '1', '--json'];
      const r = spawnSync(python, cli, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.log(`| ${shapeOf(name).label} | failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()} |`);
        continue;
      }
      const t = JSON.parse(line);
      // The FLOPs of part 2's count, for the same shapes; computed here when part 2 did not run this shape.
      const flops = flopsOf[name]?.flops ?? null;
      const gflops = flops === null ? null : (flops * t.triples_per_second) / t.batch / 1e9;
      console.log(`| ${shapeOf(name).label} | ${t.torch} | ${t.threads} | ${t.parameters.toLocaleString('en')} | ${t.batch} | ${fmt(t.seconds / t.steps, 1)} | ${fmt(t.triples_per_second, 3)} | ${fmt(gflops)} |`);
    }
  }
}
console.log(`\nwhole run: ${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')}`);
process.exit(0);
