/**
 * The students' training speed on a real GPU, without a browser: the page's own Trainer and TrainingLoop on tfjs's
 * WebGPU backend, with WebGPU supplied by Dawn for Node (the npm package `webgpu`), which `run.mjs` installs as
 * `navigator.gpu` before loading this bundle. Built by `vite build -c bench/gpu/vite.config.mjs`.
 */
import * as tf from '../../src/model/tf';
import '@tensorflow/tfjs-backend-webgpu';
import { Trainer } from '../../src/train/trainer.core';
import { tablesAsTrainingData } from '../../src/train/stored-data';
import { TrainingLoop } from '../../src/train/training-loop';
import { resolveRunConfig, type RunConfig } from '../../src/config/run-config';
import { textColumns } from '../../src/data/store/columns';
import { loadTokenizer } from '../../src/text/tokenizers';
import { ARCHS } from '../../src/model/students/registry';
import type { TrainingTables } from '../../src/train/batches';
import type { KernelChoice } from '../../src/model/kernels/choice';
import { trainingStepFlops } from '../../src/lab/flops';

function rows(tsv: string): { id: number; text: string }[] {
  return tsv
    .trimEnd()
    .split('\n')
    .map((l) => ({ id: Number(l.slice(0, l.indexOf('\t'))), text: l.slice(l.indexOf('\t') + 1) }));
}

export async function main(files: { collection: string; queries: string; teacher: string }, configs: { name: string; config: Partial<RunConfig> }[], log: (line: string) => void): Promise<void> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its WebGPU backend');
  await tf.ready();
  log(`backend: ${tf.getBackend()}`);
  const tokenizer = await loadTokenizer('hash-words-v1:8192');
  const triples = files.teacher.trimEnd().split('\n').map((l) => l.split('\t').map(Number) as [number, number, number, number, number]);
  const tables: TrainingTables = {
    passages: textColumns(rows(files.collection), tokenizer.tokenize),
    queries: textColumns(rows(files.queries), tokenizer.tokenize),
    triples: {
      posScore: Float32Array.from(triples, (t) => t[0]),
      negScore: Float32Array.from(triples, (t) => t[1]),
      qid: Int32Array.from(triples, (t) => t[2]),
      pos: Int32Array.from(triples, (t) => t[3]),
      neg: Int32Array.from(triples, (t) => t[4]),
    },
  };
  for (const { name, config: partial } of configs) {
    log(`\nconfig ${name}: ${JSON.stringify(partial)}`);
    log('| student | parameters | fused triples/s | stock triples/s | fused / stock | fused GFLOP/s | margin-mse loss, first 10 → last 10 steps (fused) |');
    log('|---|---|---|---|---|---|---|');
    for (const arch of ARCHS) {
      const rates: Record<KernelChoice, number> = { fused: 0, stock: 0 };
      let params = 0;
      let lossCell = '';
      let flops: number | null = null;
      let batch = 1;
      for (const kernels of ['fused', 'stock'] as const) {
        const config = resolveRunConfig({ ...partial, arch, kernels, loss: 'margin-mse', backend: 'webgpu' });
        const trainer = new Trainer(await tablesAsTrainingData(tables, config.standardizeTeacher), config, tokenizer);
        params = trainer.model.parameterCount();
        flops = trainingStepFlops(config);
        batch = config.batchSize;
        const losses: number[] = [];
        const windows: number[] = [];
        const loop = new TrainingLoop(trainer, { onMetrics: (m) => (losses.push(...m.losses), windows.push(m.triplesPerSecond)), onProbe: () => undefined });
        await loop.run(() => undefined);
        rates[kernels] = windows.at(-1) ?? 0;
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        if (kernels === 'fused') lossCell = `${mean(losses.slice(0, 10)).toPrecision(4)} → ${mean(losses.slice(-10)).toPrecision(4)}`;
        trainer.dispose();
      }
      const gflops = flops === null ? '–' : ((flops * rates.fused) / batch / 1e9).toFixed(1);
      log(`| ${arch} | ${params.toLocaleString('en')} | ${rates.fused.toFixed(0)} | ${rates.stock.toFixed(0)} | ${(rates.fused / rates.stock).toFixed(1)}× | ${gflops} | ${lossCell} |`);
    }
  }
}
