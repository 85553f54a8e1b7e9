/** Short training runs on the demo data for the kernel tests and the benchmarks: losses, and triples per second. */
import * as tf from '../model/tf';
import { Trainer } from '../train/trainer.core';
import { resolveRunConfig, type RunConfig } from '../train/config';
import { selectBackend } from '../train/backend';
import { fusedDispatches, type KernelChoice } from '../model/kernels';
import { demoTables } from './demo-tables';

async function trainerFor(partial: Partial<RunConfig>, steps: number): Promise<Trainer> {
  const config = resolveRunConfig({ probeSize: 8, ...partial, steps: Math.max(steps, 1) });
  const { backend } = await selectBackend(config.backend);
  if (config.backend !== 'auto' && backend !== config.backend) throw new Error(`asked for ${config.backend}, got ${backend}`);
  const { tables, tokenizer } = await demoTables();
  return new Trainer(tables, config, tokenizer);
}

/** The loss of every step of the same run (same seed, same batches) under each kernel choice. */
export async function lossesBothWays(partial: Partial<RunConfig>, steps: number): Promise<Record<KernelChoice, number[]> & { backend: string; fusedPrograms: Record<KernelChoice, number> }> {
  const out: Record<KernelChoice, number[]> = { stock: [], fused: [] };
  const fusedPrograms: Record<KernelChoice, number> = { stock: 0, fused: 0 };
  for (const kernels of ['stock', 'fused'] as const) {
    const trainer = await trainerFor({ ...partial, kernels }, steps);
    const before = fusedDispatches();
    try {
      for (let i = 0; i < steps; i++) {
        const loss = trainer.step();
        out[kernels].push((await loss.data())[0] as number);
        loss.dispose();
      }
      fusedPrograms[kernels] = fusedDispatches() - before;
    } finally {
      trainer.dispose();
    }
  }
  return { ...out, backend: tf.getBackend(), fusedPrograms };
}

export interface Throughput {
  backend: string;
  arch: string;
  kernels: KernelChoice;
  parameters: number;
  batchSize: number;
  /** Timed steps only: after `warmup` steps (shader compilation), the losses read back once at the end. */
  steps: number;
  seconds: number;
  triplesPerSecond: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

export async function throughput(partial: Partial<RunConfig>, { warmup = 2, steps = 5 } = {}): Promise<Throughput> {
  const trainer = await trainerFor(partial, warmup + steps);
  try {
    for (let i = 0; i < warmup; i++) {
      const loss = trainer.step();
      await loss.data();
      loss.dispose();
    }
    const tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    const losses: tf.Scalar[] = [];
    for (let i = 0; i < steps; i++) losses.push(trainer.step());
    const stacked = tf.stack(losses);
    await stacked.data();
    const seconds = (performance.now() - started) / 1000;
    tf.dispose([stacked, ...losses]);
    const c = trainer.config;
    return {
      backend: tf.getBackend(),
      arch: c.arch,
      kernels: c.kernels,
      parameters: trainer.model.parameterCount(),
      batchSize: c.batchSize,
      steps,
      seconds,
      triplesPerSecond: (steps * c.batchSize) / seconds,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    trainer.dispose();
  }
}
