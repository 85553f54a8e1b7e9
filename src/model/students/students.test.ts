import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { tokenBatch } from '../layers/transformer';
import { createStudent } from './index';
import type { Student, StudentConfig } from './student';
import { ARCHS, studentOf, type Arch } from './registry';
import { countParameters } from './descriptor';
import { maxSim } from './colbert/model';
import { kernelFeatures, KERNEL_MU, TkStudent } from './tk/model';
import { PrettStudent } from './prett/model';
import { CatStudent } from './cat/model';
import { DotStudent } from './dot/model';
import { FUSED_KERNELS } from '../kernels';

const CONFIG: StudentConfig = { vocabSize: 60, queryLength: 4, passageLength: 6, hidden: 8, heads: 2, ffn: 16, layers: 1, pooling: 'mean', compressDim: 4, jointLayers: 1, cls: 1, sep: 2 };
const batch = (rows: number[][]) => tokenBatch(Int32Array.from(rows.flat()), rows.length, rows[0]?.length ?? 0);
const query = () => batch([[5, 6, 7, 0], [8, 9, 0, 0], [40, 41, 42, 43]]);
const pos = () => batch([[5, 6, 10, 11, 0, 0], [8, 12, 13, 14, 15, 0], [40, 50, 51, 0, 0, 0]]);
const neg = () => batch([[20, 21, 22, 0, 0, 0], [30, 31, 32, 33, 34, 35], [52, 53, 0, 0, 0, 0]]);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(ARCHS.map((a) => [a]))('%s student', (arch: Arch) => {
  let student: Student;
  beforeAll(() => {
    student = createStudent(arch, CONFIG, 11, FUSED_KERNELS);
  });
  afterAll(() => student.dispose());

  it('gives one finite score per pair and per triple, and they differ', async () => {
    const pairs = student.scorePairs(query(), pos());
    expect(pairs.shape).toEqual([3]);
    const t = student.scoreTriples(query(), pos(), neg());
    expect(t.pos.shape).toEqual([3]);
    expect(t.neg.shape).toEqual([3]);
    const values = [...(await t.pos.data()), ...(await t.neg.data())];
    expect(values.every(Number.isFinite)).toBe(true);
    expect(new Set(values.map((v) => v.toFixed(6))).size).toBe(6);
    // Triples are scored as the same pairs would be.
    const direct = await pairs.data();
    const viaTriples = await t.pos.data();
    direct.forEach((v, i) => expect(viaTriples[i]).toBeCloseTo(v, 4));
  });

  it('scores pair i from row i alone: batch order does not matter', async () => {
    const together = await student.scorePairs(query(), pos()).data();
    const alone = await student.scorePairs(batch([[8, 9, 0, 0]]), batch([[8, 12, 13, 14, 15, 0]])).data();
    expect(alone[0]).toBeCloseTo(together[1] as number, 4);
  });

  // A pointwise loss: margin losses cannot move a constant added to every score (a cross-encoder's output bias,
  // say), so their gradient for such a weight is zero by design; MSE on raw teacher scores needs it.
  it('sends gradient from a pointwise MSE loss to every trainable weight', async () => {
    const vars = student.params.list();
    const { value, grads } = tf.variableGrads(() => {
      const s = student.scoreTriples(query(), pos(), neg());
      return s.pos.sub(tf.tensor1d([3, -1, 2])).square().add(s.neg.sub(tf.tensor1d([1, 0.5, -2])).square()).mean() as tf.Scalar;
    }, vars);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    const names = [...student.params.vars.keys()];
    names.forEach((name, i) => {
      const g = grads[(vars[i] as tf.Variable).name];
      expect(g, name).toBeDefined();
      expect(g?.abs().max().dataSync()[0], name).toBeGreaterThan(0);
    });
  });

  it('counts its parameters from the configured sizes, as built', () => {
    expect(countParameters(studentOf(arch), CONFIG)).toBe(student.parameterCount());
    const bigger = createStudent(arch, { ...CONFIG, hidden: 12, layers: 2, ffn: 20, compressDim: 6, jointLayers: 2 }, 1, FUSED_KERNELS);
    expect(countParameters(studentOf(arch), { ...CONFIG, hidden: 12, layers: 2, ffn: 20, compressDim: 6, jointLayers: 2 })).toBe(bigger.parameterCount());
    bigger.dispose();
  });

  it('leaves no tensor behind when scoring inside tidy', () => {
    const before = tf.memory().numTensors;
    const q = query();
    const p = pos();
    tf.tidy(() => student.scorePairs(q, p)).dispose();
    tf.dispose([q.ids, q.mask, p.ids, p.mask]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('defining properties', () => {
  it('dot with CLS pooling: scores are the dot products of separately computed [CLS] vectors', async () => {
    const s = new DotStudent({ ...CONFIG, pooling: 'cls' }, 4, FUSED_KERNELS);
    const scores = await s.scorePairs(query(), pos()).array();
    const q = await s.embed(query()).array();
    const p = await s.embed(pos()).array();
    scores.forEach((v, i) => expect(v).toBeCloseTo((q[i] as number[]).reduce((n, x, k) => n + x * ((p[i] as number[])[k] as number), 0), 4));
    s.dispose();
  });

  it('colbert: the score does not depend on the order of the passage token vectors', async () => {
    const q = tf.tensor3d([[[1, 0, 0], [0, 1, 0]]]);
    const qMask = tf.tensor2d([[1, 1]]);
    const p = tf.tensor3d([[[0.6, 0.8, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]]);
    const pMask = tf.tensor2d([[1, 1, 1, 0]]);
    // Sum of max similarities: query token 1 best matches [1,0,0] (1.0), token 2 best matches [0.6,0.8,0] (0.8);
    // the [0,1,0] that would match token 2 exactly is padding.
    expect((await maxSim(FUSED_KERNELS, q, qMask, p, pMask).data())[0]).toBeCloseTo(1.8, 5);
    for (const order of [[2, 0, 1, 3], [1, 2, 0, 3], [3, 2, 1, 0]]) {
      const permuted = tf.gather(p, order, 1) as tf.Tensor3D;
      const permutedMask = tf.gather(pMask, order, 1) as tf.Tensor2D;
      expect((await maxSim(FUSED_KERNELS, q, qMask, permuted, permutedMask).data())[0]).toBeCloseTo(1.8, 5);
    }
  });

  it('colbert: a passage with only padding scores 0, not the mask value', async () => {
    const q = tf.tensor3d([[[1, 0]]]);
    expect((await maxSim(FUSED_KERNELS, q, tf.tensor2d([[1]]), tf.tensor3d([[[1, 0]]]), tf.tensor2d([[0]])).data())[0]).toBe(0);
  });

  it('tk: the exact-match kernel counts identical tokens and the others stay near zero for them', async () => {
    const e = (k: number) => Array.from({ length: 4 }, (_, i) => (i === k ? 2 : 0)); // orthogonal, not unit length
    const q = tf.tensor3d([[e(0), e(1)]]);
    const qMask = tf.tensor2d([[1, 0]]); // the second query token is padding
    const features = async (passage: number[][], mask: number[]) => (await kernelFeatures(FUSED_KERNELS, q, qMask, tf.tensor3d([passage]), tf.tensor2d([mask])).array())[0] as number[];
    const twoMatches = await features([e(0), e(2), e(0), e(1)], [1, 1, 1, 1]);
    const oneMatch = await features([e(0), e(2), e(3), e(1)], [1, 1, 1, 1]);
    const maskedMatch = await features([e(2), e(3), e(0), e(1)], [1, 1, 0, 0]);
    expect(KERNEL_MU[0]).toBe(1);
    // mu = 1: exp(0) per identical token; orthogonal tokens add exp(-50). Log-scaled by 0.01.
    expect(twoMatches[0]).toBeCloseTo(0.01 * Math.log(2), 6);
    expect(oneMatch[0]).toBeCloseTo(0, 6);
    expect(twoMatches[0] as number).toBeGreaterThan(oneMatch[0] as number);
    // A match hidden by the passage mask does not count: the kernel sees nothing near 1.
    expect(maskedMatch[0] as number).toBeLessThan(-0.2);
    // Cosine 0 (orthogonal tokens) lands between the kernels at 0.1 and -0.1, equally.
    expect(twoMatches[5]).toBeCloseTo(twoMatches[6] as number, 6);
    // In a whole TK student, a passage repeating the query's tokens outscores one sharing none, at initialisation.
    const tk = new TkStudent({ ...CONFIG, layers: 0 }, 2, FUSED_KERNELS);
    const scores = await tk.scorePairs(batch([[7, 8, 0, 0]]), batch([[7, 8, 7, 8, 0, 0]])).data();
    const none = await tk.scorePairs(batch([[7, 8, 0, 0]]), batch([[30, 31, 32, 33, 0, 0]])).data();
    const fExact = await kernelFeatures(FUSED_KERNELS, tk.contextualise(batch([[7, 8, 0, 0]])), batch([[7, 8, 0, 0]]).mask, tk.contextualise(batch([[7, 8, 7, 8, 0, 0]])), batch([[7, 8, 7, 8, 0, 0]]).mask).array();
    const fNone = await kernelFeatures(FUSED_KERNELS, tk.contextualise(batch([[7, 8, 0, 0]])), batch([[7, 8, 0, 0]]).mask, tk.contextualise(batch([[30, 31, 32, 33, 0, 0]])), batch([[30, 31, 32, 33, 0, 0]]).mask).array();
    expect((fExact[0] as number[])[0] as number).toBeGreaterThan((fNone[0] as number[])[0] as number);
    expect(scores[0]).not.toBeCloseTo(none[0] as number, 4);
    tk.dispose();
  });

  it('prett: passage states computed ahead of time, without the query, give the same scores', async () => {
    const s = new PrettStudent(CONFIG, 6, FUSED_KERNELS);
    const stored = s.passageStates(pos());
    const a = await s.scoreWithPassageStates(query(), stored).data();
    const b = await s.scorePairs(query(), pos()).data();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
    // ...and those states are the same whichever query comes with them.
    const again = await s.passageStates(pos()).states.data();
    expect(Array.from(again)).toEqual(Array.from(await stored.states.data()));
    s.dispose();
  });

  it('cat: reads [CLS] q [SEP] p [SEP] and its scores are not a sum of a query part and a passage part', async () => {
    const s = new CatStudent(CONFIG, 8, FUSED_KERNELS);
    // The pair packed at the start of queryLength + passageLength + 3 = 13 positions, the padding after it.
    const joined = s.joined(batch([[5, 6, 0, 0]]), batch([[9, 10, 11, 0, 0, 0]]));
    expect(await joined.ids.array()).toEqual([[1, 5, 6, 2, 9, 10, 11, 2, 0, 0, 0, 0, 0]]);
    expect(await joined.mask.array()).toEqual([[1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]]);
    expect(joined.host?.ids).toEqual(Int32Array.from([1, 5, 6, 2, 9, 10, 11, 2, 0, 0, 0, 0, 0]));
    // For f(q) + g(p), s(q1,p1) - s(q1,p2) equals s(q2,p1) - s(q2,p2); attention across the pair breaks that.
    const q = batch([[5, 6, 0, 0], [5, 6, 0, 0], [30, 31, 32, 0], [30, 31, 32, 0]]);
    const p = batch([[9, 10, 11, 0, 0, 0], [40, 41, 0, 0, 0, 0], [9, 10, 11, 0, 0, 0], [40, 41, 0, 0, 0, 0]]);
    const v = Array.from(await s.scorePairs(q, p).data());
    expect(Math.abs((v[0] as number) - (v[1] as number) - ((v[2] as number) - (v[3] as number)))).toBeGreaterThan(1e-6);
    s.dispose();
  });

  it('cat: cuts a pair longest-first within queryLength + passageLength tokens, from batches carrying the whole pair', async () => {
    const s = new CatStudent(CONFIG, 8, FUSED_KERNELS);
    // Budget 4 + 6 = 10 tokens, sides carried at 13. A 2-token query leaves 8 to a 12-token passage (fixed budgets
    // gave it 6); a 9-token query with a 1-token passage keeps all 9 (fixed budgets kept 4).
    const long = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
    const wide = (rows: number[][]) => batch(rows.map((r) => [...r, ...new Array(13 - r.length).fill(0)]));
    const joined = s.joined(wide([[5, 6], [40, 41, 42, 43, 44, 45, 46, 47, 48]]), wide([long, [9]]));
    expect(await joined.ids.array()).toEqual([
      [1, 5, 6, 2, 20, 21, 22, 23, 24, 25, 26, 27, 2],
      [1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 2, 9, 2],
    ]);
    // The score of the uncut pair is the score of the pair cut by hand.
    const whole = await s.scorePairs(wide([[5, 6]]), wide([long])).data();
    const cut = await s.scorePairs(batch([[5, 6, 0, 0]]), batch([long.slice(0, 8)])).data();
    expect(whole[0]).toBe(cut[0]);
    s.dispose();
  });
});
