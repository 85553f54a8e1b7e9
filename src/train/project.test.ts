import { describe, expect, it } from 'vitest';
import { readProject, writeProject, type Project } from './project';
import { readSafetensors, writeSafetensors } from '../export/safetensors';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

const project: Project = {
  snapshot: {
    config: { ...DEFAULT_RUN_CONFIG, arch: 'prett', seed: 4 },
    stepsDone: 3,
    sampler: { shuffle: 4242, size: 3, pool: 99, cursor: 1, epoch: 2, rng: 987654321 },
    weights: [
      { name: 'encoder/lnf_b', shape: [2], data: Float32Array.of(1, -1) },
      { name: 'head/w', shape: [1, 2], data: Float32Array.of(0.5, 0.25) },
    ],
    optimizer: {
      iterations: 3,
      first: [
        { shape: [2], data: Float32Array.of(0.1, 0.2) },
        { shape: [1, 2], data: Float32Array.of(0.3, 0.4) },
      ],
      second: [
        { shape: [2], data: Float32Array.of(1e-3, 2e-3) },
        { shape: [1, 2], data: Float32Array.of(3e-3, 4e-3) },
      ],
    },
  },
  losses: Float32Array.of(3, 2, 1),
  tokenizer: 'wordpiece-v1:bert-base-uncased',
};

const values = (ts: { data: Float32Array }[]) => ts.map((t) => Array.from(t.data));
const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));

describe('project files', () => {
  it('round-trip the whole run state: config, sampler, named weights, both of Adam moments by value, losses', () => {
    const back = readProject(writeProject(project), 'p.msproject');
    expect(back.snapshot.config).toEqual(project.snapshot.config);
    expect(back.snapshot.stepsDone).toBe(3);
    expect(back.snapshot.sampler).toEqual(project.snapshot.sampler);
    expect(back.snapshot.weights.map((w) => w.name)).toEqual(['encoder/lnf_b', 'head/w']);
    expect(values(back.snapshot.weights)).toEqual([[1, -1], [0.5, 0.25]]);
    expect(back.snapshot.optimizer.iterations).toBe(3);
    // First and second moments each by value and shape: swapping Adam's m and v cannot pass.
    expect(values(back.snapshot.optimizer.first)).toEqual([f32([0.1, 0.2]), f32([0.3, 0.4])]);
    expect(values(back.snapshot.optimizer.second)).toEqual([f32([1e-3, 2e-3]), f32([3e-3, 4e-3])]);
    expect(back.snapshot.optimizer.first.map((w) => w.shape)).toEqual([[2], [1, 2]]);
    expect(back.snapshot.optimizer.second.map((w) => w.shape)).toEqual([[2], [1, 2]]);
    expect(Array.from(back.losses)).toEqual([3, 2, 1]);
    expect(back.tokenizer).toBe(project.tokenizer);
  });

  it('reads project files that carry the epoch order (written before the sampler was compact), and writes it back', () => {
    const old: Project = { ...project, snapshot: { ...project.snapshot, sampler: { shuffle: -1, size: 3, cursor: 1, epoch: 2, rng: 987654321, order: Int32Array.of(2, 0, 1) } } };
    const bytes = writeProject(old);
    expect(readSafetensors(bytes, 'old.msproject').tensors.map((t) => t.name)).toContain('sampler/order');
    expect(readProject(bytes, 'old.msproject').snapshot.sampler).toEqual(old.snapshot.sampler);
    // Without the order, the metadata must have the shuffle state.
    const { tensors, metadata } = readSafetensors(writeProject(project), 'p.msproject');
    const broken = writeSafetensors(tensors, { ...metadata, sampler: JSON.stringify({ cursor: 1, epoch: 2, rng: 5 }) });
    expect(() => readProject(broken, 'b.msproject')).toThrow("b.msproject: the metadata's sampler has neither the epoch's order nor its shuffle state");
  });

  it('stores each weight under its own name', () => {
    const names = readSafetensors(writeProject(project), 'p.msproject').tensors.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['weights/encoder/lnf_b', 'weights/head/w', 'adam/m/0', 'adam/v/1']));
  });

  it('refuses weights files, missing tensors and inconsistent counts, naming the file', () => {
    expect(() => readProject(writeSafetensors([], { format: 'margin-studio-student-v1' }), 'w.msproject')).toThrow('w.msproject: not a Margin Studio project');
    const noLosses = { ...project, losses: Float32Array.of(1) };
    expect(() => readProject(writeProject(noLosses), 'p.msproject')).toThrow('p.msproject: 1 losses for 3 steps');
    const fewerMoments = { ...project, snapshot: { ...project.snapshot, optimizer: { ...project.snapshot.optimizer, second: project.snapshot.optimizer.second.slice(0, 1) } } };
    expect(() => readProject(writeProject(fewerMoments), 'p.msproject')).toThrow("p.msproject: Adam's moments (2 and 1) do not match the 2 weights");
    const sameName = { ...project, snapshot: { ...project.snapshot, weights: project.snapshot.weights.map((w) => ({ ...w, name: 'head/w' })) } };
    expect(() => writeProject(sameName)).toThrow('share a name');
  });
});
