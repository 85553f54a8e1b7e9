// One steady-state training step taken apart, in headless Chromium on WebGPU (SwiftShader where there is no GPU):
// its wall time, the kernels tfjs ran ranked by GPU time (where the adapter gives timestamp queries), and the WebGPU
// work per step (dispatches, uniform writes, uploads, submits, bind groups).
// Usage: npm run bench:profile [-- --arch dot --kernels fused --batch 32 --hidden 64 --passage 48 --steps 3 --top 25]
// Fields not given keep the studio's defaults.
import { flagsOrExit } from '../scripts/flags.mjs';
import { GPU_MODES } from '../scripts/studio-browser.mjs';
import { launchLab } from '../scripts/lab.mjs';
import { studentNames } from './lib.mjs';

const args = flagsOrExit('npm run bench:profile --', {
  arch: { choices: await studentNames(), default: 'dot' },
  kernels: { choices: ['fused', 'stock'], default: 'fused' },
  batch: { type: 'integer', min: 1, help: 'batch size' },
  hidden: { type: 'integer', min: 2 },
  heads: { type: 'integer', min: 1 },
  ffn: { type: 'integer', min: 1 },
  layers: { type: 'integer', min: 0 },
  query: { type: 'integer', min: 1, help: 'query tokens' },
  passage: { type: 'integer', min: 1, help: 'passage tokens' },
  warmup: { type: 'integer', min: 1, default: 2, help: 'steps before timing (shader compilation)' },
  steps: { type: 'integer', min: 1, default: 3, help: 'steps timed' },
  top: { type: 'integer', min: 1, default: 25, help: 'kernels listed' },
  soak: { type: 'integer', min: 0, default: 0, help: 'then train this many steps, sampling tensors and GPU bytes every 100' },
  gpu: { choices: GPU_MODES, default: 'swiftshader' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

/** @type {Record<string, string | number>} */
const config = { arch: args.arch, kernels: args.kernels, backend: 'webgpu' };
for (const [flag, field] of /** @type {const} */ ([['batch', 'batchSize'], ['hidden', 'hidden'], ['heads', 'heads'], ['ffn', 'ffn'], ['layers', 'layers'], ['query', 'queryLength'], ['passage', 'passageLength']])) {
  const v = args[flag];
  if (v !== undefined) config[field] = v;
}

const { page, close } = await launchLab({ ...(args.port === undefined ? {} : { port: args.port }), gpu: /** @type {(typeof GPU_MODES)[number]} */ (args.gpu) });
try {
  const p = await page.evaluate(([cfg, warmup, steps]) => {
    const lab = window.marginLab;
    if (!lab) throw new Error('the lab page did not load');
    return lab.profileStep(/** @type {any} */ (cfg), { warmup: Number(warmup), steps: Number(steps) });
  }, /** @type {const} */ ([config, args.warmup, args.steps]));
  console.log(`backend: ${p.backend} (${p.adapter})`);
  console.log(`config: ${JSON.stringify(p.config)} (other fields at the studio's defaults); ${p.parameters.toLocaleString('en')} parameters`);
  console.log(`wall time per step: median ${p.wallMs.toFixed(1)} ms of ${p.wallSamples.map((x) => x.toFixed(0)).join(', ')} ms (batch assembly and loss read-back included)`);
  if (p.counts) {
    const c = p.counts;
    console.log(`WebGPU work per step: ${c.dispatches} dispatches, ${c.uniformWrites} uniform writes, ${c.uploads} tensor uploads, ${c.submits} submits, ${c.bindGroups} bind groups`);
  }
  console.log(`tensors before / after the timed steps: ${p.tensorsBefore} / ${p.tensorsAfter}`);
  if (p.timestamps) {
    console.log(`kernel GPU time in the profiled step: ${p.kernelMs.toFixed(1)} ms (${((100 * p.kernelMs) / p.wallMs).toFixed(0)} % of the median wall time; profiling ends the compute pass after every kernel)`);
  } else {
    console.log('kernel GPU time: the adapter gives no timestamp queries, so kernels are listed by calls only');
  }
  console.log('\ntfjs kernels (the fused kernels are listed by shader in the second table):');
  console.log('\n| kernel | calls | GPU ms | share |');
  console.log('|---|---|---|---|');
  for (const k of p.kernels.slice(0, args.top)) {
    console.log(`| ${k.name} | ${k.calls} | ${k.ms.toFixed(2)} | ${p.kernelMs > 0 ? ((100 * k.ms) / p.kernelMs).toFixed(1) + ' %' : '–'} |`);
  }
  if (p.kernels.length > args.top) console.log(`| … ${p.kernels.length - args.top} more | | | |`);
  if (p.programs.length > 0) {
    console.log('\n| shader (WebGPU program) | runs | GPU ms | share | run by |');
    console.log('|---|---|---|---|---|');
    for (const k of p.programs.slice(0, args.top)) {
      console.log(`| ${k.name} | ${k.calls} | ${k.ms.toFixed(2)} | ${p.kernelMs > 0 ? ((100 * k.ms) / p.kernelMs).toFixed(1) + ' %' : '–'} | ${k.kernels.join(', ')} |`);
    }
  }
  if (args.soak > 0) {
    const s = await page.evaluate(([cfg, steps]) => window.marginLab?.soak(/** @type {any} */ (cfg), Number(steps)), /** @type {const} */ ([config, args.soak]));
    if (s) {
      console.log(`\nsoak: ${args.soak} steps in ${s.seconds.toFixed(0)} s; tfjs tensors and GPU bytes every 100 steps:`);
      console.log(s.samples.map((x) => `${x.step}: ${x.tensors} tensors, ${(x.bytes / 1e6).toFixed(2)} MB`).join('\n'));
      const tensors = new Set(s.samples.slice(1).map((x) => x.tensors));
      const bytes = s.samples.slice(1).map((x) => x.bytes);
      console.log(`from step 100 on: tensor counts ${[...tensors].join(', ')}; GPU bytes ${(Math.min(...bytes) / 1e6).toFixed(2)}–${(Math.max(...bytes) / 1e6).toFixed(2)} MB`);
    }
  }
} finally {
  await close();
}
process.exit(0);
