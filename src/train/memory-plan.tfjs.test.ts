/**
 * The plan against what tfjs really allocates on its CPU backend (the stock ops, which WebGPU runs too with kernels
 * set to stock): buffers counted once per dataId, as a device holds them (a reshape or a clone shares its input's).
 * Measured here: weights + AdamW moments exactly; the forward pass within 1-6% of the stock count; a whole step's
 * peak (gradients + activations) within 0.85-0.95 of the plan, backward holding 0.7-0.9 times the forward tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import { createStudent } from '../model/students';
import { countParameters } from '../model/students/descriptor';
import type { StudentConfig } from '../model/students/config';
import { ARCHS, studentOf, type Arch } from '../model/students/registry';
import { AdamW } from './optimizer';
import { marginMseLoss } from './losses';
import { BYTES_PER_ELEMENT, budgetOnly, forwardElements, planMemory, type PlanInput } from './memory-plan';
import { Rng } from '../util/random';
import { FUSED_KERNELS } from '../model/kernels';

const SIZES: StudentConfig = { vocabSize: 300, queryLength: 6, passageLength: 14, hidden: 16, heads: 2, ffn: 40, layers: 2, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 };
const TRIPLES = 4;

function ids(rng: Rng, rows: number, length: number): Int32Array {
  return Int32Array.from({ length: rows * length }, () => 5 + Math.floor(rng.next() * 290));
}

/** Live bytes of the CPU backend's buffers (one per dataId), and their peak, from its data store's writes and deletes. */
function trackBuffers() {
  const store = (tf.backend() as unknown as { data: { set(id: object, v: { values?: { byteLength?: number } }): void; delete(id: object): boolean } }).data;
  const live = new Map<object, number>();
  let now = 0;
  let peak = 0;
  const set = store.set.bind(store);
  const del = store.delete.bind(store);
  store.set = (id, v) => {
    const bytes = v.values?.byteLength ?? 0;
    now += bytes - (live.get(id) ?? 0);
    live.set(id, bytes);
    peak = Math.max(peak, now);
    set(id, v);
  };
  store.delete = (id) => {
    now -= live.get(id) ?? 0;
    live.delete(id);
    return del(id);
  };
  return { now: () => now, peak: () => peak, resetPeak: () => (peak = now), restore: () => Object.assign(store, { set, delete: del }) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(ARCHS.map((a) => [a]))('the plan of a %s student against tfjs', (arch: Arch) => {
  it('matches the weights and moments exactly and the step within its stated factor', () => {
    const t = trackBuffers();
    try {
      const base = t.now();
      const student = createStudent(arch, SIZES, 3, FUSED_KERNELS);
      const optimizer = new AdamW(student.params.vars, FUSED_KERNELS);
      const persistent = t.now() - base;
      const rng = new Rng(5);
      const q = tokenBatch(ids(rng, TRIPLES, SIZES.queryLength), TRIPLES, SIZES.queryLength);
      const p = tokenBatch(ids(rng, TRIPLES, SIZES.passageLength), TRIPLES, SIZES.passageLength);
      const n = tokenBatch(ids(rng, TRIPLES, SIZES.passageLength), TRIPLES, SIZES.passageLength);
      const teacherPos = tf.tensor1d([1, 2, 3, 4]);
      const teacherNeg = tf.tensor1d([0, 1, 2, 3]);
      const before = t.now();
      t.resetPeak();
      let forward = 0;
      tf.tidy(() =>
        optimizer.minimize(() => {
          const s = student.scoreTriples(q, p, n);
          const loss = marginMseLoss(s.pos, s.neg, teacherPos, teacherNeg);
          forward = t.now() - before;
          return loss;
        }, 1e-3),
      );
      const step = t.peak() - before;
      const plan: PlanInput = { arch, webgpu: false, kernels: 'stock', pretrained: false, batchSize: TRIPLES, microBatch: 0, probeSize: TRIPLES, ...SIZES, parameters: countParameters(studentOf(arch), SIZES) };
      const planned = planMemory(plan, budgetOnly());
      // Weights and AdamW's two moments: exact.
      expect(persistent).toBe(planned.weights + planned.optimizer);
      // The forward pass: the stock count within 10%.
      const plannedForward = forwardElements(plan, TRIPLES) * BYTES_PER_ELEMENT;
      expect(forward / plannedForward).toBeGreaterThan(0.9);
      expect(forward / plannedForward).toBeLessThan(1.1);
      // The step's peak beyond what it started with: gradients + activations within a factor of 1.35 either way.
      const ratio = step / (planned.gradients + planned.activations);
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.35);
      student.dispose();
      optimizer.dispose();
      tf.dispose([q.ids, q.mask, p.ids, p.mask, n.ids, n.mask, teacherPos, teacherNeg]);
    } finally {
      t.restore();
    }
  });
});
