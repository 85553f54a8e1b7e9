// Training speed in headless Chromium on WebGPU (SwiftShader on machines without a GPU), in one run:
// 1. the studio itself: a run of the demo started from the page, its throughput, and the main thread's long tasks;
// 2. fused against stock kernels, triples/s for every student at the default config and for `dot` at the larger
//    config (the kernel lab page, lab.html, runs the studio's own Trainer), with GFLOP/s where they are defined;
// 3. evaluation's costs on both kernel paths: pairs scored and passages encoded per second;
// 4. the same `dot` student in PyTorch on this machine's CPU (bench/torch/dot_student.py; bench/torch/setup.mjs
//    installs the current torch wheel into bench/out/ when no Python has torch >= 2).
// Usage: npm run bench:train [-- --steps 60 --lab-steps 3 --lab-warmup 1 --large-steps 1 --large-stock 0 --students dot,cat
//        --torch auto|skip|only --parts all|studio --port 5180 --verbose 1]   (--torch only: part 4 alone, without the browser;
//        --parts studio: part 1 alone, for the main thread's long tasks)
// Needs the built app (npm run bench:train builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { spawnSync } from 'node:child_process';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { openLab } from '../scripts/lab.mjs';
import { studentNames, torchPython } from './lib.mjs';

const STUDENTS = await studentNames();
const args = flagsOrExit('npm run bench:train --', {
  steps: { type: 'integer', min: 1, default: 60, help: 'steps of the studio run (part 1)' },
  'lab-steps': { type: 'integer', min: 1, default: 3, help: 'timed steps per student and kernel path' },
  'lab-warmup': { type: 'integer', min: 1, default: 1, help: 'untimed steps before them (shader compilation)' },
  'large-steps': { type: 'integer', min: 0, default: 1, help: 'timed steps of dot at the larger config (0: skip)' },
  'large-stock': { type: 'integer', min: 0, default: 0, help: '1: time the stock kernels at the larger config too (hours on SwiftShader)' },
  students: { type: 'list', choices: STUDENTS, default: STUDENTS },
  torch: { choices: ['auto', 'skip', 'only'], default: 'auto', help: 'the PyTorch rows (auto: install the torch wheel into bench/out/ if missing; only: part 4 alone)' },
  parts: { choices: ['all', 'studio'], default: 'all', help: 'studio: part 1 alone (the long tasks while training), without the lab and PyTorch parts' },
  verbose: { type: 'integer', default: 0, help: '1: print the page\'s console and every change of the run' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

const LARGER = { hidden: 256, heads: 4, ffn: 1024, layers: 2, batchSize: 64, queryLength: 16, passageLength: 128, learningRate: 0.001 };
/** @param {number | null | undefined} x @param {number} [digits] */
const fmt = (x, digits = 1) => (x === null || x === undefined ? '–' : x.toFixed(digits));

if (args.torch !== 'only') await browserParts();

/** Parts 1 to 3, in headless Chromium. */
async function browserParts() {
  const { studio, page, context, url, startedAt, close } = await launchStudio(args.port === undefined ? {} : { port: args.port });
  try {
    // 1. The studio, as a person runs it.
    if (args.verbose) {
      page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
      page.on('worker', (w) => w.on('console', (m) => console.log(`[worker ${m.type()}] ${m.text()}`)));
    }
    console.log(`page usable with the demo loaded: ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the server was started`);
    await studio.train.configure({ 'config-steps': args.steps });
    const batch = Number(await studio.train.field('config-batch-size'));
    await page.evaluate(() => {
      const w = /** @type {Window & { longTasks?: { at: number, ms: number }[] }} */ (window);
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks?.push({ at: e.startTime, ms: e.duration }))).observe({ type: 'longtask' });
    });
    const clickedAt = await page.evaluate(() => performance.now());
    await studio.train.start();
    const started = Date.now();
    /** @type {{ step: number, at: number } | null} */
    let firstStep = null;
    // Polled once a second: Playwright's own queries run on the page's main thread and would count as its long tasks.
    const end = await studio.train.waitForEnd({
      interval: 1000,
      onProgress: (s) => {
        if (!firstStep && s.step > 0) firstStep = { step: s.step, at: Date.now() };
        if (args.verbose) console.log(`${((Date.now() - started) / 1000).toFixed(1)}s state=${s.state} step=${s.step} loss=${s.loss} triples/s=${s.throughput} backend=${s.backend}`);
      },
    });
    const ended = Date.now();
    const tasks = await page.evaluate(() => /** @type {Window & { longTasks?: { at: number, ms: number }[] }} */ (window).longTasks ?? []);
    const longTasks = tasks.map((t) => t.ms);
    if (args.verbose) for (const t of tasks) console.log(`long task ${t.ms.toFixed(0)} ms at ${((t.at - clickedAt) / 1000).toFixed(1)} s after Start`);
    console.log(`\n## 1. The studio: the demo, default config (kernels: ${await studio.train.field('config-kernels')}), ${args.steps} steps`);
    console.log(`backend: ${end.backend}`);
    console.log(`last-window throughput: ${fmt(end.throughput ?? 0)} triples/s = ${fmt((end.throughput ?? 0) / batch, 2)} steps/s`);
    const wall = (ended - started) / 1000;
    console.log(`whole run incl. data load, shader compilation and probes: ${wall.toFixed(1)} s = ${((args.steps * batch) / wall).toFixed(1)} triples/s`);
    const first = /** @type {{ step: number, at: number } | null} */ (firstStep);
    if (first && args.steps > first.step) {
      const sps = (args.steps - first.step) / ((ended - first.at) / 1000);
      console.log(`steady state (steps ${first.step}-${args.steps}, probes included): ${sps.toFixed(3)} steps/s = ${(sps * batch).toFixed(2)} triples/s`);
    }
    // Blocking time: each long task's time past 50 ms, summed (what Lighthouse calls total blocking time); less noisy
    // than the count when a slow or shared machine stretches every task.
    const blocking = longTasks.reduce((sum, ms) => sum + Math.max(0, ms - 50), 0);
    console.log(`main-thread long tasks (over 50 ms) while training: ${longTasks.length}${longTasks.length ? `, longest ${Math.max(...longTasks).toFixed(0)} ms, blocking time ${blocking.toFixed(0)} ms` : ''}`);
    console.log(`final loss: ${end.loss}`);
    if (args.parts === 'studio') return;

    // 2 and 3. Fused against stock, through the kernel lab.
    const labPage = await context.newPage();
    await openLab(labPage, url);
    /** @param {Record<string, unknown>} config @param {number} steps */
    const measure = (config, steps) =>
      labPage.evaluate(([c, s, w]) => {
        const lab = window.marginLab;
        if (!lab) throw new Error('the lab page did not load');
        return lab.throughput(/** @type {any} */ (c), { steps: Number(s), warmup: Number(w) });
      }, /** @type {const} */ ([config, steps, args['lab-warmup']]));
    /** @param {Record<string, unknown>} config */
    const flops = (config) => labPage.evaluate((c) => window.marginLab?.trainingStepFlops(/** @type {any} */ ({ arch: 'dot', hidden: 64, ffn: 128, layers: 1, batchSize: 32, queryLength: 12, passageLength: 48, ...c })) ?? null, config);
    console.log(`\n## 2. Fused and stock kernels, the studio's Trainer on ${end.backend} (${args['lab-warmup']} warm-up step(s), then ${args['lab-steps']} timed)`);
    console.log('| student | config | parameters | fused triples/s | stock triples/s | fused / stock | fused GFLOP/s | tensors before → after (fused) |');
    console.log('|---|---|---|---|---|---|---|---|');
    /** @param {string} label @param {Record<string, unknown>} config @param {number} steps @param {boolean} withStock */
    const row = async (label, config, steps, withStock) => {
      const fused = await measure({ ...config, kernels: 'fused', backend: 'webgpu' }, steps);
      const stock = withStock ? await measure({ ...config, kernels: 'stock', backend: 'webgpu' }, steps) : null;
      const f = await flops(config);
      const gflops = f === null ? null : (f * fused.triplesPerSecond) / fused.batchSize / 1e9;
      const ratio = stock ? `${fmt(fused.triplesPerSecond / stock.triplesPerSecond)}×` : 'not timed (--large-stock 1)';
      console.log(`| ${fused.arch} | ${label} | ${fused.parameters.toLocaleString('en')} | ${fmt(fused.triplesPerSecond, 2)} | ${stock ? fmt(stock.triplesPerSecond, 2) : '–'} | ${ratio} | ${fmt(gflops, 2)} | ${fused.tensorsBefore} → ${fused.tensorsAfter} |`);
    };
    for (const arch of args.students) await row('default', { arch }, args['lab-steps'], true);
    if (args['large-steps'] > 0) await row('larger: hidden 256, 4 heads, ffn 1024, 2 layers, batch 64, passage 128', { arch: 'dot', ...LARGER }, args['large-steps'], args['large-stock'] === 1);

    console.log('\n## 3. Evaluation with the same kernels (forward only, batches of 64)');
    console.log('| student | kernels | pairs scored / s (re-ranking) | passages encoded / s (dense search) |');
    console.log('|---|---|---|---|');
    for (const arch of args.students) {
      for (const kernels of ['fused', 'stock']) {
        const r = await labPage.evaluate((c) => window.marginLab?.inferenceRate(/** @type {any} */ (c)), { arch, kernels, backend: 'webgpu' });
        if (r) console.log(`| ${arch} | ${kernels} | ${fmt(r.pairsPerSecond)} | ${fmt(r.passagesPerSecond)} |`);
      }
    }
  } finally {
    await close();
  }
}

// 4. PyTorch on this machine's CPU.
if (args.parts === 'studio') process.exit(0);
console.log('\n## 4. The same dot student in PyTorch on this machine\'s CPU (bench/torch/dot_student.py)');
if (args.torch === 'skip') {
  console.log('skipped (--torch skip)');
} else {
  const python = torchPython();
  if (!python) {
    console.log('no PyTorch here (see above): rows left out');
  } else {
    /** @param {string} config @param {number} steps @param {number} warmup */
    const torch = (config, steps, warmup) => {
      const r = spawnSync(python, ['bench/torch/dot_student.py', '--config', config, '--steps', String(steps), '--warmup', String(warmup)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      console.log(r.stdout.trim() || `PyTorch run failed (exit ${r.status})`);
    };
    torch('default', 10, 2);
    if (args['large-steps'] > 0) torch('larger', args['large-steps'], 1);
  }
}
process.exit(0);
