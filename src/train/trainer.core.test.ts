import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { generateDemo } from '../data/demo/generator';
import { textColumns } from '../data/store/columns';
import { tokenize } from '../text/hashing';
import { resolveRunConfig } from '../config/run-config';
import { Trainer } from './trainer.core';
import { TrainingLoop } from './training-loop';
import type { TrainingTables } from './batches';
import { tablesAsTrainingData } from './stored-data';
import { scorePairs } from '../eval/score';
import { tableCollection } from '../eval/collection';
import { ARCHS } from '../model/students/registry';

const BUCKETS = 512;
const TOKENIZER = { id: `hash-words-v1:${BUCKETS}`, vocabSize: BUCKETS, cls: 1, sep: 2 };

function demoTables(): TrainingTables {
  const d = generateDemo({ seed: 1, passages: 200, trainQueries: 60, devQueries: 0, negativesPerQuery: 4 });
  const tok = (t: string) => tokenize(t, { kind: 'hash-words', buckets: BUCKETS });
  return {
    passages: textColumns(d.passages, tok),
    queries: textColumns(d.queries, tok),
    triples: {
      qid: Int32Array.from(d.triples, (t) => t.qid),
      pos: Int32Array.from(d.triples, (t) => t.pos),
      neg: Int32Array.from(d.triples, (t) => t.neg),
      posScore: Float32Array.from(d.triples, (t) => t.posScore),
      negScore: Float32Array.from(d.triples, (t) => t.negScore),
    },
  };
}

/** The demo tables through the one data path, training files (built in memory); the runs here leave the scores raw. */
const demoData = (tables = demoTables()) => tablesAsTrainingData(tables, false);

const config = resolveRunConfig({ seed: 9, steps: 40, batchSize: 8, learningRate: 0.003, queryLength: 8, passageLength: 24, hidden: 16, heads: 2, ffn: 32, layers: 1, logEvery: 5, probeEvery: 20, probeSize: 16, backend: 'cpu' });

describe('Trainer on the CPU backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // Accumulation happens inside a step: a snapshot is always at a step boundary, so resume is exact with it too.
  it.each([0, 2])('continues from a snapshot with the losses an uninterrupted run gives, step for step (microBatch %s)', async (microBatch) => {
    const cfg = { ...config, arch: 'colbert' as const, steps: 12, batchSize: 4, microBatch, hidden: 8, ffn: 16, compressDim: 8, queryLength: 6, passageLength: 12 };
    const lossesOf = async (trainer: Trainer, until: number) => {
      const out: number[] = [];
      while (trainer.stepsDone < until) {
        const l = trainer.step();
        out.push((await l.data())[0] as number);
        l.dispose();
      }
      return out;
    };
    const straight = new Trainer(await demoData(), cfg, TOKENIZER);
    const expected = await lossesOf(straight, 12);
    straight.dispose();

    const first = new Trainer(await demoData(), cfg, TOKENIZER);
    const before = await lossesOf(first, 5);
    // As after a stopped run: its data closed, the batch it had read ahead for step 6 not trained on.
    first.closeData();
    const snapshot = await first.snapshot();
    first.dispose();
    expect(snapshot.stepsDone).toBe(5);
    expect(snapshot.optimizer.iterations).toBe(5);
    expect(snapshot.optimizer.first).toHaveLength(snapshot.weights.length);

    // A fresh trainer (a reloaded page) starts from its initial weights until it restores the snapshot. The
    // snapshot's weights (and their moments) are handed over in reverse order: matched by name, not by position.
    const tensorsBefore = tf.memory().numTensors;
    const second = new Trainer(await demoData(), cfg, TOKENIZER);
    const { first: m, second: v } = snapshot.optimizer;
    await second.restore({ ...snapshot, config: cfg, weights: snapshot.weights.slice().reverse(), optimizer: { ...snapshot.optimizer, first: m.slice().reverse(), second: v.slice().reverse() } });
    const after = await lossesOf(second, 12);
    [...before, ...after].forEach((l, i) => expect(l, `step ${i + 1}`).toBeCloseTo(expected[i] as number, 4));
    second.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  /**
   * The largest |a − b| over a weight's elements, relative to the largest |b|: the worst weight of the student.
   * The key third of each attention's qkv bias is left out: adding a constant to every key of a query shifts all its
   * attention scores alike, which softmax ignores, so the exact gradient of the key bias is 0 and what tfjs computes
   * is float noise of order 1e-9, different for any other order of additions. Adam divides each gradient by its own
   * root mean square, so it turns that noise into steps of up to the learning rate, in whichever direction the noise
   * points: no summation order other than the whole batch's own could match those elements.
   */
  const worstRelativeDifference = async (a: Trainer, b: Trainer) => {
    let worst = 0;
    for (const [name, v] of b.model.params.vars) {
      const x = Float32Array.from(await (a.model.params.vars.get(name) as tf.Variable).data());
      const y = Float32Array.from(await v.data());
      const third = y.length / 3;
      const keyBias = (i: number) => name.endsWith('/qkv_b') && i >= third && i < 2 * third;
      const scale = y.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
      const diff = y.reduce((m, t, i) => (keyBias(i) ? m : Math.max(m, Math.abs(t - (x[i] as number)))), 0);
      worst = Math.max(worst, scale > 0 ? diff / scale : diff);
    }
    return worst;
  };

  it.each([
    ['margin-mse', 0],
    ['mse', 0.5],
  ] as const)('trains a batch of 32 as 4 × 8 to the weights and losses of 32 at once (%s loss, clipNorm %s)', async (loss, clipNorm) => {
    const cfg = resolveRunConfig({ ...config, loss, clipNorm, steps: 2, batchSize: 32, probeSize: 16, hidden: 8, ffn: 16, passageLength: 12 });
    const whole = new Trainer(await demoData(), cfg, TOKENIZER);
    const accumulated = new Trainer(await demoData(), { ...cfg, microBatch: 8 }, TOKENIZER);
    for (let step = 0; step < 2; step++) {
      const [a, b] = [whole.step(), accumulated.step()];
      const [x, y] = [(await a.data())[0] as number, (await b.data())[0] as number];
      expect(Math.abs(y - x) / Math.abs(x), `loss at step ${step + 1}`).toBeLessThan(1e-5);
      tf.dispose([a, b]);
    }
    const worst = await worstRelativeDifference(accumulated, whole);
    expect(worst).toBeLessThan(1e-5);
    // The weights did move: two steps at lr 0.003 change them far more than the tolerance.
    const fresh = new Trainer(await demoData(), cfg, TOKENIZER);
    expect(await worstRelativeDifference(fresh, whole)).toBeGreaterThan(1e-3);
    [whole, accumulated, fresh].forEach((t) => t.dispose());
  }, 60_000);

  it('keeps the tensor count flat over accumulated steps, and probes in micro-batches with the scores of one forward', async () => {
    const cfg = resolveRunConfig({ ...config, steps: 8, batchSize: 8, microBatch: 2, probeSize: 16, hidden: 8, ffn: 16, passageLength: 12 });
    const chunked = new Trainer(await demoData(), cfg, TOKENIZER);
    const counts: number[] = [];
    for (let s = 0; s < 8; s++) {
      chunked.step().dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(counts.at(-1)).toBe(counts[1]);
    // The same student probed in one forward (microBatch 0): the chunks' scores, in the same order.
    const oneForward = new Trainer(await demoData(), { ...cfg, microBatch: 0 }, TOKENIZER);
    oneForward.loadWeights(await Promise.all([...chunked.model.params.vars].map(async ([name, v]) => ({ name, shape: v.shape.slice(), data: Float32Array.from(await v.data()) }))));
    const [a, b] = [await chunked.probe(), await oneForward.probe()];
    expect(a.pos).toHaveLength(chunked.probeBatch.size);
    Array.from(b.pos).forEach((v, i) => expect(a.pos[i]).toBeCloseTo(v, 5));
    Array.from(b.neg).forEach((v, i) => expect(a.neg[i]).toBeCloseTo(v, 5));
    chunked.dispose();
    oneForward.dispose();
  }, 60_000);

  it('checkpoints every checkpointEvery steps and when paused, never at the last step', async () => {
    const trainer = new Trainer(await demoData(), { ...config, steps: 7, checkpointEvery: 3, probeEvery: 4, batchSize: 4, hidden: 8, ffn: 16, passageLength: 12 }, TOKENIZER);
    const saved: number[] = [];
    let pausedOnce = false;
    const loop: TrainingLoop = new TrainingLoop(trainer, {
      onMetrics: () => undefined,
      // The probe runs every 4 steps; the run is paused once, at the probe of step 4.
      onProbe: (p) => {
        if (!pausedOnce && p.step === 4) {
          pausedOnce = true;
          loop.pause();
        }
      },
      onCheckpoint: async (step) => {
        saved.push(step);
      },
    });
    const run = loop.run((paused) => {
      if (paused) setTimeout(() => loop.resume(), 0);
    });
    expect(await run).toBe('done');
    // Step 3 by schedule, 4 at the pause, 6 by schedule; none at 7, the end.
    expect(saved).toEqual([3, 4, 6]);
    trainer.dispose();
  }, 60_000);

  it('loads imported weights only when every name and shape fits the configured student', async () => {
    const small = { ...config, arch: 'tk' as const, hidden: 8, ffn: 16 };
    const source = new Trainer(await demoData(), small, TOKENIZER);
    const names = [...source.model.params.vars.keys()];
    const tensors = await Promise.all(source.model.params.list().map(async (v, i) => ({ name: names[i] as string, shape: v.shape.slice(), data: Float32Array.from(await v.data()) })));
    const target = new Trainer(await demoData(), { ...small, seed: 99 }, TOKENIZER);
    target.loadWeights(tensors);
    expect(Array.from(await target.model.params.get('tk/kernel_w').data())).toEqual(Array.from(tensors[names.indexOf('tk/kernel_w')]!.data));
    expect(() => target.loadWeights(tensors.filter((t) => t.name !== 'tk/mix'))).toThrow('the file has no weight tk/mix, which the configured tk student needs');
    expect(() => target.loadWeights(tensors.map((t) => (t.name === 'tk/kernel_w' ? { ...t, shape: [1, 11], data: t.data } : t)))).toThrow('weight tk/kernel_w has shape [1, 11] in the file; the configured tk student expects [11, 1]');
    expect(() => target.loadWeights([...tensors, { name: 'extra/w', shape: [1], data: Float32Array.of(1) }])).toThrow('the file has weights the configured tk student does not: extra/w');
    source.dispose();
    target.dispose();
  });

  it('refuses a snapshot of another architecture', async () => {
    const a = new Trainer(await demoData(), { ...config, arch: 'dot', hidden: 8, ffn: 16 }, TOKENIZER);
    const b = new Trainer(await demoData(), { ...config, arch: 'tk', hidden: 8, ffn: 16 }, TOKENIZER);
    await expect(b.restore(await a.snapshot())).rejects.toThrow('the checkpoint has no weight tk/mix, which this tk student needs');
    a.dispose();
    b.dispose();
  });

  it('refuses a snapshot whose weights or moments do not fit by name and shape, changing nothing', async () => {
    const cfg = { ...config, arch: 'tk' as const, hidden: 8, ffn: 16 };
    const a = new Trainer(await demoData(), cfg, TOKENIZER);
    a.step().dispose();
    const snap = await a.snapshot();
    const b = new Trainer(await demoData(), { ...cfg, seed: 77 }, TOKENIZER);
    const before = Array.from(await b.model.params.get('tk/kernel_w').data());
    const renamed = { ...snap, weights: snap.weights.map((w) => (w.name === 'tk/mix' ? { ...w, name: 'tk/mixer' } : w)) };
    await expect(b.restore(renamed)).rejects.toThrow('the checkpoint has no weight tk/mix, which this tk student needs');
    const i = snap.weights.findIndex((w) => w.name === 'tk/kernel_w');
    const reshaped = { ...snap, weights: snap.weights.map((w, k) => (k === i ? { ...w, shape: [1, 11] } : w)) };
    await expect(b.restore(reshaped)).rejects.toThrow('checkpoint weight tk/kernel_w has shape [1, 11], this tk student expects [11, 1]');
    const badMoment = { ...snap, optimizer: { ...snap.optimizer, second: snap.optimizer.second.map((t, k) => (k === i ? { ...t, shape: [11] } : t)) } };
    await expect(b.restore(badMoment)).rejects.toThrow("Adam's moments for tk/kernel_w in the checkpoint do not have the weight's shape [11, 1]");
    // Nothing was assigned by the refused restores.
    expect(Array.from(await b.model.params.get('tk/kernel_w').data())).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it('gives a cat student each side at the whole pair length, so that it can cut the pair longest-first itself', async () => {
    const cfg = { ...config, arch: 'cat' as const, hidden: 8, ffn: 16, queryLength: 2, passageLength: 12 };
    const trainer = new Trainer(await demoData(), cfg, TOKENIZER);
    const width = 2 + 12 + 3;
    const probe = trainer.probeBatch;
    expect(probe.query.length).toBe(probe.size * width);
    expect(probe.pos.length).toBe(probe.size * width);
    // Queries longer than the 2 tokens of queryLength arrive whole, where the passage leaves them room.
    const longest = Math.max(...Array.from({ length: probe.size }, (_, r) => probe.query.subarray(r * width, (r + 1) * width).indexOf(0) >>> 0).map((end) => Math.min(end, width)));
    expect(longest).toBeGreaterThan(2);
    const l = trainer.step();
    expect(Number.isFinite((await l.data())[0])).toBe(true);
    l.dispose();
    trainer.dispose();
  });

  it.each(ARCHS.map((a) => [a]))('trains the %s student: the Margin-MSE loss falls and no tensor leaks', async (arch) => {
    const trainer = new Trainer(await demoData(), { ...config, arch, steps: 24, probeEvery: 24, batchSize: 4, hidden: 8, ffn: 16, compressDim: 8, queryLength: 6, passageLength: 12, learningRate: 0.01 }, TOKENIZER);
    expect(trainer.model.arch).toBe(arch);
    const losses: number[] = [];
    const tensors: number[] = [];
    const loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        losses.push(...m.losses);
        tensors.push(m.numTensors);
      },
      onProbe: () => undefined,
    });
    expect(await loop.run(() => undefined)).toBe('done');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    expect(tensors.at(-1)).toBe(tensors[1]);
    trainer.dispose();
  }, 60_000);

  it('lowers the Margin-MSE loss, keeps the tensor count flat, and probes held-out queries', async () => {
    const trainer = new Trainer(await demoData(), config, TOKENIZER);
    const losses: number[] = [];
    const tensors = new Map<number, number>();
    const probes: number[] = [];
    const loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        losses.push(...m.losses);
        tensors.set(m.steps[m.steps.length - 1] as number, m.numTensors);
        expect(m.triplesPerSecond).toBeCloseTo(m.stepsPerSecond * config.batchSize, 6);
      },
      onProbe: (p) => {
        probes.push(p.step);
        expect(p.pos).toHaveLength(trainer.probeBatch.size);
        expect(p.pos.some((v, i) => v !== p.neg[i])).toBe(true);
      },
    });
    expect(await loop.run(() => undefined)).toBe('done');
    expect(losses).toHaveLength(40);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    expect(tensors.get(40)).toBe(tensors.get(10));
    expect(probes).toEqual([0, 20, 40]);
    const trainSet = new Set(trainer.trainIndices);
    const qidOf: number[] = [];
    trainer.data.scanQueryRows((rows, first) => rows.forEach((r, k) => (qidOf[first + k] = trainer.data.queryIds[r] as number)));
    const probeQids = new Set(qidOf.filter((_, i) => !trainSet.has(i)));
    expect(probeQids.size).toBeGreaterThan(0);
    for (const i of trainer.trainIndices) expect(probeQids.has(qidOf[i] as number)).toBe(false);
    const before = tf.memory().numTensors;
    trainer.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  }, 120_000);

  it('gives the same losses for the same seed', async () => {
    const run = async () => {
      const trainer = new Trainer(await demoData(), { ...config, steps: 6 }, TOKENIZER);
      const out: number[] = [];
      await new TrainingLoop(trainer, { onMetrics: (m) => out.push(...m.losses), onProbe: () => undefined }).run(() => undefined);
      trainer.dispose();
      return out;
    };
    expect(await run()).toEqual(await run());
  }, 60_000);

  it('pauses between steps (no step runs while paused), then stops from the pause', async () => {
    const trainer = new Trainer(await demoData(), { ...config, steps: 1000, logEvery: 1 }, TOKENIZER);
    const pauses: boolean[] = [];
    let stepsWhenPaused = -1;
    const loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        if ((m.steps.at(-1) ?? 0) === 5) loop.pause();
      },
      onProbe: () => undefined,
    });
    const end = await loop.run((paused) => {
      pauses.push(paused);
      if (paused) {
        stepsWhenPaused = trainer.stepsDone;
        // Still paused a moment later: the loop waits rather than stepping on.
        setTimeout(() => {
          expect(trainer.stepsDone).toBe(stepsWhenPaused);
          loop.stop();
        }, 50);
      }
    });
    expect(end).toBe('stopped');
    expect(pauses).toEqual([true]);
    expect(stepsWhenPaused).toBe(5);
    expect(trainer.stepsDone).toBe(5);
    trainer.dispose();
  }, 60_000);

  /** The loop's end, or 'hung' when it has not ended two seconds after `from` (the moment it should end soon). */
  const endOrHang = (run: Promise<'done' | 'stopped'>, from: Promise<void>) =>
    Promise.race([run, from.then(() => new Promise<'hung'>((r) => setTimeout(() => r('hung'), 2000)))]);

  it('stops when Stop comes while the pause checkpoint is being written', async () => {
    const trainer = new Trainer(await demoData(), { ...config, steps: 1000, logEvery: 1 }, TOKENIZER);
    const pauses: boolean[] = [];
    let written = () => undefined as void;
    const checkpointWritten = new Promise<void>((r) => (written = r));
    const loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        if ((m.steps.at(-1) ?? 0) === 3) loop.pause();
      },
      onProbe: () => undefined,
      onCheckpoint: async () => {
        // Stop pressed while the checkpoint is written, before the loop has begun to wait.
        loop.stop();
        await new Promise((r) => setTimeout(r, 20));
        written();
      },
    });
    expect(await endOrHang(loop.run((paused) => pauses.push(paused)), checkpointWritten)).toBe('stopped');
    expect(pauses).toEqual([]);
    expect(trainer.stepsDone).toBe(3);
    trainer.dispose();
  }, 60_000);

  it('goes on training when Resume comes while the pause checkpoint is being written', async () => {
    const trainer = new Trainer(await demoData(), { ...config, steps: 6, logEvery: 1, batchSize: 4, hidden: 8, ffn: 16 }, TOKENIZER);
    const pauses: boolean[] = [];
    // The rest of the run (4 small steps) must be over well within the wait after the last step's metrics.
    let lastStep = () => undefined as void;
    const reachedEnd = new Promise<void>((r) => (lastStep = r));
    const loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        if ((m.steps.at(-1) ?? 0) === 2) loop.pause();
        if ((m.steps.at(-1) ?? 0) === 6) lastStep();
      },
      onProbe: () => undefined,
      onCheckpoint: async () => {
        loop.resume();
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const run = loop.run((paused) => pauses.push(paused));
    // Without the fix the loop waits for a wake-up that never comes: step 6 is never reached.
    const waited = await Promise.race([run, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    expect(waited).toBe('done');
    await reachedEnd;
    expect(pauses).toEqual([]);
    expect(trainer.stepsDone).toBe(6);
    trainer.dispose();
  }, 60_000);

  it('evaluates on the dev set every evalEvery steps and at the end, scoring with the current student', async () => {
    const tables = demoTables();
    const small = resolveRunConfig({ ...config, steps: 7, evalEvery: 3 });
    const trainer = new Trainer(await demoData(tables), small, TOKENIZER);
    const evaluated: number[] = [];
    const loop = new TrainingLoop(trainer, {
      onMetrics: () => undefined,
      onProbe: () => undefined,
      onEvaluate: async (step) => {
        evaluated.push(step);
        expect(trainer.stepsDone).toBe(step);
        const scores = await scorePairs(trainer.model, { queries: tableCollection(tables.queries), passages: tableCollection(tables.passages) }, Int32Array.of(0, 1), Int32Array.of(0, 1), small);
        expect(scores.every(Number.isFinite)).toBe(true);
      },
    });
    expect(await loop.run(() => undefined)).toBe('done');
    expect(evaluated).toEqual([3, 6, 7]);
    trainer.dispose();
  }, 120_000);

  it('trains with each of the other losses, every step giving a finite loss', async () => {
    for (const loss of ['mse', 'weighted-ranknet', 'ranknet'] as const) {
      const cfg = resolveRunConfig({ ...config, steps: 16, loss, logEvery: 4 });
      const trainer = new Trainer(await demoData(), cfg, TOKENIZER);
      const losses: number[] = [];
      const loop = new TrainingLoop(trainer, { onMetrics: (m) => losses.push(...m.losses), onProbe: () => undefined });
      expect(await loop.run(() => undefined)).toBe('done');
      expect(losses.every(Number.isFinite), loss).toBe(true);
      expect(losses).toHaveLength(16);
      trainer.dispose();
    }
  }, 120_000);

  it('standardises teacher scores over the training triples when asked', async () => {
    const tok = (t: string) => tokenize(t, { kind: 'hash-words', buckets: BUCKETS });
    const tables: TrainingTables = {
      passages: textColumns([{ id: 10, text: 'first passage' }, { id: 11, text: 'second passage' }], tok),
      queries: textColumns([{ id: 1, text: 'a query' }], tok),
      // Scores 10, 20 (pos) and 0, 10 (neg): mean 10, std sqrt((0 + 100 + 100 + 0) / 4) = sqrt(50).
      triples: { qid: Int32Array.of(1, 1), pos: Int32Array.of(10, 11), neg: Int32Array.of(11, 10), posScore: Float32Array.of(10, 20), negScore: Float32Array.of(0, 10) },
    };
    const z = (await tablesAsTrainingData(tables, true)).batch([0, 1], 4, 4);
    expect(Array.from(z.teacherPos)).toEqual([0, 10 / Math.sqrt(50)].map((x) => Math.fround(x)));
    expect(Array.from(z.teacherNeg)).toEqual([-10 / Math.sqrt(50), 0].map((x) => Math.fround(x)));
    const raw = (await tablesAsTrainingData(tables, false)).batch([0, 1], 4, 4);
    expect(Array.from(raw.teacherPos)).toEqual([10, 20]);
    expect(() => resolveRunConfig({ loss: 'hinge' as never })).toThrow(/loss must be one of margin-mse, mse, weighted-ranknet, ranknet/);
  });
});
