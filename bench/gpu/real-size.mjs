// Real-size training speed on a real GPU (issue 21), in one run: the studio's Trainer at MiniLM-L6 and DistilBERT
// shapes (query 30 / passage 200, batch 32), fused and stock kernels, under Node with Dawn's WebGPU as navigator.gpu,
// beside a plain matrix product on the same adapter; then the same students and step in PyTorch on CUDA in fp32 and
// under bf16 autocast (bench/torch/dot_student.py). Sized to finish within 8 minutes on an H100.
// Usage: node bench/gpu/real-size.mjs --webgpu PATH_TO_webgpu_PACKAGE [--python python3] [--shapes minilm,distilbert]
//        [--batch 32 --steps 3 --warmup 1 --kernels fused,stock --matmul 4096 --torch-device cuda --torch-steps 10]
//        [--backend cpu: the same code on tfjs's CPU backend without --webgpu, to check it where there is no GPU]
// Build the bundle first: npx vite build -c bench/gpu/real-size.vite.config.mjs (bench/gpu/real-size.sh does both).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flagsOrExit } from '../../scripts/flags.mjs';
import { installDawn } from './dawn.mjs';
import { PASSAGE_LENGTH, QUERY_LENGTH, shapeOf, SHAPES } from '../real-size-shapes.mjs';

const COMMAND = 'node bench/gpu/real-size.mjs';
const args = flagsOrExit(COMMAND, {
  webgpu: { value: 'DIR', help: 'the installed npm package `webgpu` (Dawn for Node); required unless --backend cpu' },
  backend: { choices: ['webgpu', 'cpu'], default: 'webgpu' },
  shapes: { type: 'list', choices: Object.keys(SHAPES), default: Object.keys(SHAPES) },
  batch: { type: 'integer', min: 1, default: 32 },
  query: { type: 'integer', min: 1, default: QUERY_LENGTH },
  passage: { type: 'integer', min: 1, default: PASSAGE_LENGTH },
  steps: { type: 'integer', min: 1, default: 3, help: 'timed steps per shape and kernel path' },
  warmup: { type: 'integer', min: 1, default: 1, help: 'untimed steps before them (shader compilation)' },
  kernels: { type: 'list', choices: ['fused', 'stock'], default: ['fused', 'stock'] },
  matmul: { type: 'integer', min: 0, default: 4096, help: 'the plain product\'s size n (0: skip); 512 is too small to fill a data-centre GPU' },
  python: { default: 'python3', help: 'a Python with torch for the PyTorch rows ("skip": none)' },
  'torch-device': { choices: ['cuda', 'cpu'], default: 'cuda' },
  'torch-steps': { type: 'integer', min: 1, default: 10 },
});
if (args.backend === 'webgpu' && !args.webgpu) {
  console.error(`${COMMAND}: --webgpu DIR is required (the npm package webgpu: npm install --no-save webgpu), or --backend cpu`);
  process.exit(2);
}
const bundle = resolve('bench/out/gpu-real-size/real-size-entry.mjs');
if (!existsSync(bundle)) {
  console.error(`${COMMAND}: ${bundle} is missing: build it first with npx vite build -c bench/gpu/real-size.vite.config.mjs`);
  process.exit(2);
}
const started = Date.now();
if (args.webgpu) {
  console.log(await installDawn(COMMAND, args.webgpu));
}
console.log(`# Real size on ${args.backend}: dot students, batch ${args.batch}, query ${args.query} / passage ${args.passage}, vocabulary 30,522; random weights (the studio's from-scratch student)`);

/** @type {typeof import('./real-size-entry')} */
const { realSize } = await import(pathToFileURL(bundle).href);
const shapes = args.shapes.map(shapeOf);
const { rows } = await realSize(
  { shapes, batch: args.batch, query: args.query, passage: args.passage, steps: args.steps, warmup: args.warmup, kernels: /** @type {('fused' | 'stock')[]} */ (args.kernels), matmul: args.matmul, backend: /** @type {'webgpu' | 'cpu'} */ (args.backend) },
  (line) => console.log(line),
);
console.log(`(studio part: ${((Date.now() - started) / 1000).toFixed(0)} s)`);

if (args.python !== 'skip') {
  console.log(`\n## The same students and step in PyTorch (${args['torch-device']}; bench/torch/dot_student.py, ${args['torch-steps']} timed steps after 2)`);
  console.log('| shape | precision | torch | parameters | ms / step | triples/s | step GFLOP/s | the studio fused / PyTorch |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const name of args.shapes) {
    const fused = rows.find((r) => r.shape === shapeOf(name).label && r.kernels === 'fused');
    for (const amp of ['off', 'bf16']) {
      const cli = ['bench/torch/dot_student.py', '--config', name, '--device', args['torch-device'], '--amp', amp, '--batch', String(args.batch), '--query', String(args.query), '--passage', String(args.passage), '--steps', String(args['torch-steps']), '--warmup', '2', '--json'];
      const r = spawnSync(args.python, cli, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
      const precision = amp === 'bf16' ? 'bf16 autocast' : 'fp32';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.log(`| ${shapeOf(name).label} | ${precision} | failed (exit ${r.status}): ${(r.stderr ?? String(r.error)).trim().split('\n').pop()} |`);
        continue;
      }
      const t = JSON.parse(line);
      // GFLOP/s from the studio's count for the same shapes: the studio's rows give FLOPs per triple.
      const perTriple = fused ? fused.gflops / fused.triplesPerSecond : null;
      const gflops = perTriple === null ? '–' : (perTriple * t.triples_per_second).toPrecision(3);
      const ratio = fused ? (fused.triplesPerSecond / t.triples_per_second).toPrecision(3) : '–';
      console.log(`| ${shapeOf(name).label} | ${precision} | ${t.torch} | ${t.parameters.toLocaleString('en')} | ${((1000 * t.seconds) / t.steps).toFixed(0)} | ${t.triples_per_second.toPrecision(3)} | ${gflops} | ${ratio} |`);
    }
  }
}
console.log(`\nwall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
