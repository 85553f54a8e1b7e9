/**
 * Real-size training speed on a real GPU, without a browser (issue 21): the kernel lab's own timings (src/lab/), the
 * studio's Trainer at MiniLM-L6 and DistilBERT shapes, and a plain matrix product on the same adapter, on tfjs's
 * WebGPU backend with WebGPU from Dawn for Node, which `real-size.mjs` installs as `navigator.gpu` before loading
 * this bundle. Built by `vite build -c bench/gpu/real-size.vite.config.mjs`. With backend 'cpu' it runs the same
 * code on tfjs's CPU backend, to check the bundle on a machine without a GPU (tiny shapes; no fused kernels there).
 */
import * as tf from '../../src/model/tf';
import { throughput } from '../../src/lab/runs';
import { matmulRate } from '../../src/lab/square-matmul';
import { trainingStepFlops } from '../../src/lab/flops';
import type { RunConfig } from '../../src/config/run-config';
import type { KernelChoice } from '../../src/model/kernels/choice';

export interface RealSizeShape {
  label: string;
  hidden: number;
  heads: number;
  ffn: number;
  layers: number;
}

export interface RealSizeOptions {
  shapes: RealSizeShape[];
  batch: number;
  query: number;
  passage: number;
  steps: number;
  warmup: number;
  kernels: KernelChoice[];
  matmul: number;
  backend: 'webgpu' | 'cpu';
}

export interface RealSizeRow {
  shape: string;
  kernels: KernelChoice;
  parameters: number;
  triplesPerSecond: number;
  gflops: number;
}

export async function realSize(o: RealSizeOptions, log: (line: string) => void): Promise<{ bestMatmul: number | null; rows: RealSizeRow[] }> {
  let bestMatmul: number | null = null;
  if (o.matmul > 0) {
    const rates = await matmulRate({ size: o.matmul, reps: 20, backend: o.backend });
    log(`\n## A plain ${o.matmul}×${o.matmul} by ${o.matmul}×${o.matmul} matrix product on ${tf.getBackend()} (1 untimed, then 20 timed)`);
    for (const r of rates) log(`${r.kernels === 'fused' ? 'the studio\'s fused matmul' : 'tfjs matMul (stock)'}${o.backend === 'cpu' ? ' (tfjs matMul on cpu)' : ''}: ${r.gflops.toPrecision(3)} GFLOP/s`);
    bestMatmul = Math.max(...rates.map((r) => r.gflops));
  }
  log(`\n## One training step (Margin-MSE, Adam), the studio's Trainer, batch ${o.batch}, query ${o.query} / passage ${o.passage}, ${o.warmup} warm-up then ${o.steps} timed`);
  log('| shape | kernels | parameters | ms / step | triples/s | step GFLOP/s | of best plain matmul |');
  log('|---|---|---|---|---|---|---|');
  const rows: RealSizeRow[] = [];
  for (const shape of o.shapes) {
    for (const kernels of o.kernels) {
      const config: Partial<RunConfig> = { arch: 'dot', hidden: shape.hidden, heads: shape.heads, ffn: shape.ffn, layers: shape.layers, batchSize: o.batch, queryLength: o.query, passageLength: o.passage, learningRate: 1e-4, kernels, backend: o.backend };
      const r = await throughput(config, { steps: o.steps, warmup: o.warmup, tokenizer: 'bert-base-uncased' });
      const flops = trainingStepFlops({ arch: 'dot', hidden: shape.hidden, ffn: shape.ffn, layers: shape.layers, batchSize: o.batch, queryLength: o.query, passageLength: o.passage });
      if (flops === null) throw new Error('no FLOP count for the dot student');
      const gflops = (flops * r.triplesPerSecond) / r.batchSize / 1e9;
      const share = bestMatmul ? `${((100 * gflops) / bestMatmul).toFixed(0)} %` : '–';
      // On the CPU backend both choices run tfjs's stock ops (the fused kernels are WebGPU programs).
      const label = o.backend === 'webgpu' ? kernels : `${kernels} (stock ops on cpu)`;
      log(`| ${shape.label} | ${label} | ${r.parameters.toLocaleString('en')} | ${((1000 * r.seconds) / r.steps).toFixed(0)} | ${r.triplesPerSecond.toPrecision(3)} | ${gflops.toPrecision(3)} | ${share} |`);
      rows.push({ shape: shape.label, kernels, parameters: r.parameters, triplesPerSecond: r.triplesPerSecond, gflops });
    }
  }
  return { bestMatmul, rows };
}
