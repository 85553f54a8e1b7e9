// GFLOP/s of the fused matrix products of one linear layer and its two gradients (dW also split over k), in headless
// Chromium on WebGPU (SwiftShader where there is no GPU), at MiniLM's widths by default.
// Usage: npm run bench:matmul [-- --tokens 512 --in 384 --out 1536 --reps 3 --split 16384,65536]
import { flagsOrExit } from '../scripts/flags.mjs';
import { GPU_MODES } from '../scripts/studio-browser.mjs';
import { launchLab } from '../scripts/lab.mjs';

const args = flagsOrExit('npm run bench:matmul --', {
  tokens: { type: 'integer', min: 4, default: 512, help: 'rows of x (the k of the weight gradient)' },
  in: { type: 'integer', min: 4, default: 384, help: 'input width' },
  out: { type: 'integer', min: 4, default: 384, help: 'output width' },
  reps: { type: 'integer', min: 1, default: 3, help: 'timed runs of each product (the median is reported)' },
  split: { type: 'list', default: [], help: 'split-K thread targets for dW, comma-separated (none by default)' },
  gpu: { choices: GPU_MODES, default: 'swiftshader' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

const splitTargets = args.split.map(Number);
if (splitTargets.some((t) => !Number.isInteger(t) || t < 1)) {
  console.error(`--split: positive whole numbers, comma-separated; got ${args.split.join(',')}`);
  process.exit(2);
}

const { page, close } = await launchLab({ ...(args.port === undefined ? {} : { port: args.port }), gpu: /** @type {(typeof GPU_MODES)[number]} */ (args.gpu) });
try {
  const r = await page.evaluate((options) => {
    const lab = window.marginLab;
    if (!lab) throw new Error('the lab page did not load');
    return lab.matmulRates(options);
  }, { tokens: args.tokens, inDim: args.in, outDim: args.out, reps: args.reps, splitTargets });
  console.log(`limits: ${JSON.stringify(r.adapterLimits)}`);
  console.log(`linear [${args.tokens}, ${args.in}] → ${args.out}, ${args.reps} runs of each (median, and the fastest: interference only adds time):\n`);
  console.log('| product | m × k × n | median ms | GFLOP/s | best ms | best GFLOP/s | programs | timed by | error vs tf.matMul |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const x of r.rates) {
    console.log(`| ${x.name} | ${x.m} × ${x.k} × ${x.n} | ${x.ms.toFixed(1)} | ${x.gflops.toFixed(2)} | ${x.bestMs.toFixed(1)} | ${x.bestGflops.toFixed(2)} | ${x.programs.join(' + ')} | ${x.timing} | ${x.error.toExponential(1)} |`);
  }
} finally {
  await close();
}
