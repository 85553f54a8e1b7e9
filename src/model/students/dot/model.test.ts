import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../../tf';
import { DotStudent } from './model';
import type { StudentConfig } from '../student';
import { tokenBatch } from '../../layers/transformer';
import { FUSED_KERNELS } from '../../kernels';

const CONFIG: StudentConfig = { vocabSize: 50, queryLength: 4, passageLength: 6, hidden: 8, heads: 2, ffn: 16, layers: 1, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 };
const batch = (rows: number[][]) => tokenBatch(Int32Array.from(rows.flat()), rows.length, rows[0]?.length ?? 0);
const query = () => batch([[5, 6, 7, 0], [8, 9, 0, 0]]);
const pos = () => batch([[5, 6, 10, 11, 0, 0], [8, 12, 13, 14, 15, 0]]);
const neg = () => batch([[20, 21, 22, 0, 0, 0], [30, 31, 32, 33, 34, 35]]);

describe('DotStudent', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  let student: DotStudent;
  beforeAll(() => {
    student = new DotStudent(CONFIG, 3, FUSED_KERNELS);
  });
  afterAll(() => student.dispose());

  it('scores a batch with one score per triple, not all equal', async () => {
    const s = student.scoreTriples(query(), pos(), neg());
    expect(s.pos.shape).toEqual([2]);
    expect(s.neg.shape).toEqual([2]);
    const values = [...(await s.pos.data()), ...(await s.neg.data())];
    expect(values.every(Number.isFinite)).toBe(true);
    expect(new Set(values.map((v) => v.toFixed(6))).size).toBe(4);
  });

  it('scores are the dot products of separately computed encodings', async () => {
    const s = student.scoreTriples(query(), pos(), neg());
    const q = await student.embed(query()).array();
    const p = await student.embed(pos()).array();
    const expected = q.map((qv, i) => qv.reduce((sum, x, k) => sum + x * (p[i]?.[k] ?? NaN), 0));
    const got = await s.pos.array();
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 4));
  });

  it('ignores padding: extra padding does not change an encoding', async () => {
    const short = await student.embed(batch([[5, 6, 7, 0]])).array();
    const long = await student.embed(batch([[5, 6, 7, 0, 0, 0]])).array();
    short[0]?.forEach((v, k) => expect(v).toBeCloseTo(long[0]?.[k] as number, 5));
  });

  it('a loss on its scores sends gradient to every trainable weight', () => {
    const vars = student.params.list();
    const { grads } = tf.variableGrads(() => {
      const s = student.scoreTriples(query(), pos(), neg());
      return s.pos.sub(s.neg).sub(1).square().mean() as tf.Scalar;
    }, vars);
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(g?.abs().max().dataSync()[0], v.name).toBeGreaterThan(0);
    }
  });
});
