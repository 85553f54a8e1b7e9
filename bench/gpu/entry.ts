/**
 * The students' training speed on a real GPU, without a browser: the page's own Trainer and TrainingLoop on tfjs's
 * WebGPU backend, with WebGPU supplied by Dawn for Node (the npm package `webgpu`), which `run.mjs` installs as
 * `navigator.gpu` before loading this bundle. Built by `vite build -c bench/gpu/vite.config.mjs`.
 */
import * as tf from '../../src/model/tf';
import '@tensorflow/tfjs-backend-webgpu';
import { Trainer, TrainingLoop } from '../../src/train/trainer.core';
import { resolveRunConfig, type RunConfig } from '../../src/train/config';
import { textColumns } from '../../src/data/store/columns';
import { loadTokenizer } from '../../src/text/tokenizers';
import { ARCHS } from '../../src/model/students/archs';
import type { TrainingTables } from '../../src/train/batches';

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
    log('| student | parameters | triples/s (last window) | margin-mse loss, first 10 → last 10 steps | ranknet loss, first 10 → last 10 steps |');
    log('|---|---|---|---|---|');
    for (const arch of ARCHS) {
      const cells: string[] = [];
      let params = 0;
      let rate = 0;
      for (const loss of ['margin-mse', 'ranknet'] as const) {
        const config = resolveRunConfig({ ...partial, arch, loss, backend: 'webgpu' });
        const trainer = new Trainer(tables, config, tokenizer);
        params = trainer.model.parameterCount();
        const losses: number[] = [];
        const rates: number[] = [];
        const loop = new TrainingLoop(trainer, { onMetrics: (m) => (losses.push(...m.losses), rates.push(m.triplesPerSecond)), onProbe: () => undefined });
        await loop.run(() => undefined);
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        cells.push(`${mean(losses.slice(0, 10)).toPrecision(4)} → ${mean(losses.slice(-10)).toPrecision(4)}`);
        if (loss === 'margin-mse') rate = rates.at(-1) ?? 0;
        trainer.dispose();
      }
      log(`| ${arch} | ${params.toLocaleString('en')} | ${rate.toFixed(0)} | ${cells.join(' | ')} |`);
    }
  }
}
