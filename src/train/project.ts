/**
 * A project file: what another browser needs to continue a run — the run config, the weights, Adam's state, the
 * sampler's position and generator, and the loss history — in a safetensors container (`.msproject`), the same
 * checked reader guarding it.
 */
import { readSafetensors, SafetensorsError, writeSafetensors, type NamedTensor } from '../export/safetensors';
import type { NamedTensorData, TensorData, TrainerSnapshot } from './checkpoints';
import { resolveRunConfig, type RunConfig } from '../config/run-config';
import { errorMessage } from '../util/errors';

export const PROJECT_FORMAT = 'margin-studio-project-v1';
export const PROJECT_EXTENSION = '.msproject';

export interface Project {
  snapshot: TrainerSnapshot;
  losses: Float32Array;
  tokenizer: string;
}

const f32 = (name: string, t: TensorData): NamedTensor => ({ name, dtype: 'F32', shape: t.shape, data: t.data });

export function writeProject(p: Project): Uint8Array {
  const s = p.snapshot;
  const names = s.weights.map((w) => w.name);
  if (new Set(names).size !== names.length) throw new Error('two weights of the snapshot share a name');
  // Moments are stored by the position of their weight in the `weights` list of the metadata, which names them.
  const tensors: NamedTensor[] = [
    ...s.weights.map((w) => f32(`weights/${w.name}`, w)),
    ...s.optimizer.first.map((m, i) => f32(`adam/m/${i}`, m)),
    ...s.optimizer.second.map((v, i) => f32(`adam/v/${i}`, v)),
    // An order restored from an old checkpoint is carried as it is; otherwise the sampler's numbers make it again.
    ...(s.sampler.order ? [{ name: 'sampler/order', dtype: 'I32' as const, shape: [s.sampler.order.length], data: s.sampler.order }] : []),
    { name: 'losses', dtype: 'F32', shape: [p.losses.length], data: p.losses },
  ];
  return writeSafetensors(tensors, {
    format: PROJECT_FORMAT,
    run: JSON.stringify(s.config),
    steps: String(s.stepsDone),
    iterations: String(s.optimizer.iterations),
    sampler: JSON.stringify({ shuffle: s.sampler.shuffle, size: s.sampler.size, pool: s.sampler.pool, cursor: s.sampler.cursor, epoch: s.sampler.epoch, rng: s.sampler.rng }),
    tokenizer: p.tokenizer,
    weights: JSON.stringify(names),
  });
}

export function readProject(bytes: Uint8Array, fileName: string): Project {
  const { tensors, metadata } = readSafetensors(bytes, fileName);
  const fail = (why: string): never => {
    throw new SafetensorsError(`${fileName}: ${why}`);
  };
  if (metadata.format !== PROJECT_FORMAT) fail(`not a Margin Studio project (metadata format is ${JSON.stringify(metadata.format ?? null)}, expected ${PROJECT_FORMAT})`);
  const parse = <T>(key: string): T => {
    try {
      return JSON.parse(metadata[key] ?? '') as T;
    } catch {
      return fail(`the metadata's ${key} is missing or not JSON`);
    }
  };
  let config: RunConfig;
  try {
    config = resolveRunConfig(parse<Partial<RunConfig>>('run'));
  } catch (err) {
    return fail(`the run config is not valid: ${errorMessage(err)}`);
  }
  const names = parse<string[]>('weights');
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) fail("the metadata's weights is not a list of names");
  const sampler = parse<{ shuffle?: number; size?: number; pool?: number; cursor: number; epoch: number; rng: number }>('sampler');
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const take = (name: string): TensorData => {
    const t = byName.get(name);
    if (!t || t.dtype !== 'F32') return fail(`tensor ${name} is missing`);
    return { shape: t.shape, data: t.data as Float32Array };
  };
  const moments = (kind: 'm' | 'v') => {
    const out: TensorData[] = [];
    for (let i = 0; byName.has(`adam/${kind}/${i}`); i++) out.push(take(`adam/${kind}/${i}`));
    return out;
  };
  const first = moments('m');
  const second = moments('v');
  if (first.length !== second.length || (first.length !== 0 && first.length !== names.length)) fail(`Adam's moments (${first.length} and ${second.length}) do not match the ${names.length} weights`);
  // Project files before v1's compact sampler carry the epoch's order; newer ones the numbers that make it.
  const order = byName.get('sampler/order');
  if (order && order.dtype !== 'I32') fail('tensor sampler/order is not int32');
  if (!order && !(Number.isInteger(sampler.shuffle) && Number.isInteger(sampler.size))) fail("the metadata's sampler has neither the epoch's order nor its shuffle state");
  const steps = Number(metadata.steps);
  const iterations = Number(metadata.iterations);
  if (!Number.isInteger(steps) || steps < 0 || !Number.isInteger(iterations) || iterations < 0) fail('the metadata has no valid step count');
  const losses = take('losses').data;
  if (losses.length !== steps) fail(`${losses.length} losses for ${steps} steps`);
  if (!metadata.tokenizer) fail('the metadata has no tokenizer');
  return {
    snapshot: {
      config,
      stepsDone: steps,
      sampler: {
        shuffle: sampler.shuffle ?? -1,
        size: sampler.size ?? order?.shape[0] ?? 0,
        ...(sampler.pool === undefined ? {} : { pool: sampler.pool }),
        cursor: sampler.cursor,
        epoch: sampler.epoch,
        rng: sampler.rng,
        ...(order ? { order: order.data as Int32Array } : {}),
      },
      weights: names.map((name): NamedTensorData => ({ name, ...take(`weights/${name}`) })),
      optimizer: { iterations, first, second },
    },
    losses,
    tokenizer: metadata.tokenizer as string,
  };
}
