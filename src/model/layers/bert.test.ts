import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { Rng } from '../../util/random';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../export/safetensors';
import { readPretrainedFolder, type PretrainedModel } from '../pretrained/folder';
import { editTensors, fixtureFolder, hfExpected, maxAbsDiff, type HfFixture } from '../../testing/hf-fixtures';
import { ParamSet } from './params';
import { bertEncode, bertInputs, crossEncoderLogits, disposeInputs, l2Normalize, loadPretrainedParams, sentenceVectors, type BertSpec } from './bert';
import { FUSED_KERNELS as K } from '../kernels';

const expected = hfExpected();

/** Rows of ids (specials already in place) padded with 0 to `width`, masks from the lengths. */
function padded(rows: number[][], width: number, types?: number[][]) {
  const n = rows.length;
  const ids = new Int32Array(n * width);
  const mask = new Float32Array(n * width);
  const tt = new Int32Array(n * width);
  rows.forEach((r, i) => {
    ids.set(r, i * width);
    mask.fill(1, i * width, i * width + r.length);
    if (types) tt.set(types[i] as number[], i * width);
  });
  return { rows: n, length: width, ids, mask, types: tt };
}

interface Loaded {
  model: PretrainedModel;
  params: ParamSet;
  spec: BertSpec;
}

function load(model: PretrainedModel): Loaded {
  const params = new ParamSet(new Rng(1));
  loadPretrainedParams(params, model.weights, model.dense);
  return { model, params, spec: { type: model.type, dims: model.dims } };
}

/** Sentence vectors of id rows, as plain arrays. */
function vectors({ model, params, spec }: Loaded, rows: number[][], width: number): number[][] {
  return tf.tidy(() => {
    const inputs = bertInputs(padded(rows, width), model.type === 'bert');
    return sentenceVectors(K, params, bertEncode(K, params, spec, inputs), inputs.mask, model).arraySync();
  });
}

function logits({ params, spec }: Loaded, rows: number[][], width: number, types: number[][]): number[] {
  return tf.tidy(() => Array.from(crossEncoderLogits(K, params, spec, bertEncode(K, params, spec, bertInputs(padded(rows, width, types)))).dataSync()));
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
const maxRelDiff = (got: number[], want: number[]) => Math.max(...got.map((g, i) => Math.abs(g - (want[i] as number)) / Math.max(1e-6, Math.abs(want[i] as number))));
const flat = (m: number[][]) => m.flat();

describe('pretrained encoders against the hf-tiny reference outputs (CPU backend)', () => {
  const models = new Map<HfFixture, Loaded>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const name of ['bert-dot', 'distilbert-dot', 'bert-cross-encoder'] as const) models.set(name, load(readPretrainedFolder(fixtureFolder(name))));
  });
  afterAll(() => models.forEach((m) => m.params.dispose()));

  it('bert-dot: the first query last hidden state, mean-pooled embeddings and dot scores', () => {
    const m = models.get('bert-dot') as Loaded;
    const states = tf.tidy(() => bertEncode(K, m.params, m.spec, bertInputs(padded([expected.query_ids[0] as number[]], 16))).arraySync()[0] as number[][]);
    const want = expected['bert-dot'];
    expect(maxAbsDiff(flat(states), flat(want.query_last_hidden_state_0))).toBeLessThan(1e-4);
    const q = vectors(m, expected.query_ids, 16);
    const p = vectors(m, expected.passage_ids, 48);
    expect(maxAbsDiff(flat(q), flat(want.query_embeddings))).toBeLessThan(1e-4);
    expect(maxAbsDiff(flat(p), flat(want.passage_embeddings))).toBeLessThan(1e-4);
    expect(maxRelDiff(q.map((v, i) => dot(v, p[i] as number[])), want.scores)).toBeLessThan(1e-4);
  });

  it('distilbert-dot: [CLS] embeddings and dot scores', () => {
    const m = models.get('distilbert-dot') as Loaded;
    expect(m.model.pooling).toBe('cls');
    const want = expected['distilbert-dot'];
    const q = vectors(m, expected.query_ids, 16);
    const p = vectors(m, expected.passage_ids, 48);
    expect(maxAbsDiff(flat(q), flat(want.query_embeddings))).toBeLessThan(1e-4);
    expect(maxAbsDiff(flat(p), flat(want.passage_embeddings))).toBeLessThan(1e-4);
    expect(maxRelDiff(q.map((v, i) => dot(v, p[i] as number[])), want.scores)).toBeLessThan(1e-4);
  });

  it('bert-cross-encoder: the logit of each [CLS] q [SEP] p [SEP] pair, token types included', () => {
    const m = models.get('bert-cross-encoder') as Loaded;
    const got = logits(m, expected.pair_ids, 64, expected.pair_token_types);
    expect(maxRelDiff(got, expected['bert-cross-encoder'].logits)).toBeLessThan(1e-4);
    // The token types matter: all zeros gives other logits.
    const typeless = logits(m, expected.pair_ids, 64, expected.pair_ids.map((r) => r.map(() => 0)));
    expect(maxRelDiff(typeless, expected['bert-cross-encoder'].logits)).toBeGreaterThan(1e-3);
  });

  it('a padded batch gives each sequence what it gets alone', () => {
    for (const name of ['bert-dot', 'distilbert-dot'] as const) {
      const m = models.get(name) as Loaded;
      const batch = vectors(m, expected.passage_ids, 100);
      expected.passage_ids.forEach((ids, i) => expect(maxAbsDiff(vectors(m, [ids], ids.length)[0] as number[], batch[i] as number[]), name).toBeLessThan(1e-5));
    }
    const cross = models.get('bert-cross-encoder') as Loaded;
    const batch = logits(cross, expected.pair_ids, 80, expected.pair_token_types);
    expected.pair_ids.forEach((ids, i) => expect(Math.abs((logits(cross, [ids], ids.length, [expected.pair_token_types[i] as number[]])[0] as number) - (batch[i] as number))).toBeLessThan(1e-5));
  }, 60_000);

  it('refuses sequences longer than the position table', () => {
    const m = models.get('bert-dot') as Loaded;
    expect(() => tf.tidy(() => bertEncode(K, m.params, m.spec, bertInputs(padded([[12, 13]], 129))))).toThrow("sequence length 129 is over the model's 128 positions");
  });

  it('sends gradient from the cross-encoder logit to every weight, and leaves no tensors behind', () => {
    const m = models.get('bert-cross-encoder') as Loaded;
    const vars = m.params.list();
    const before = tf.memory().numTensors;
    // One step only: the CPU backend's gradient of the embedding lookup loops over all 2,500 vocabulary rows.
    const { value, grads } = tf.variableGrads(() => {
      const inputs = bertInputs(padded(expected.pair_ids.slice(0, 2), 64, expected.pair_token_types.slice(0, 2)));
      const loss = crossEncoderLogits(K, m.params, m.spec, bertEncode(K, m.params, m.spec, inputs)).sum() as tf.Scalar;
      disposeInputs(inputs);
      return loss;
    }, vars);
    for (const [name, v] of m.params.vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 3; i++) {
      logits(m, expected.pair_ids.slice(0, 2), 64, expected.pair_token_types.slice(0, 2));
      expect(tf.memory().numTensors).toBe(before);
    }
  }, 60_000);
});

describe('GELU and Normalize', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the exact erf GELU, not the tanh approximation (which differs by ~1.5e-4 at x = 1)', () => {
    // x Φ(x) with Φ the standard normal CDF: Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707, Φ(2) = 0.9772498680518208.
    const got = tf.tidy(() => Array.from(K.gelu(tf.tensor1d([1, -1, 2, 0, -3])).dataSync()));
    const want = [0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0, -3 * 0.0013498980316301035];
    got.forEach((g, i) => expect(Math.abs(g - (want[i] as number))).toBeLessThan(1e-6));
  });

  it('has the gradient of x Φ(x), Φ(x) + x φ(x), checked against central differences', () => {
    const xs = [-2.5, -0.7, 0.3, 1.9];
    const grad = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => K.gelu(x).sum())(tf.tensor1d(xs)).dataSync()));
    const geluRef = (x: number) => tf.tidy(() => K.gelu(tf.scalar(x, 'float32')).dataSync()[0] as number);
    xs.forEach((x, i) => {
      const h = 1e-2;
      const numeric = (geluRef(x + h) - geluRef(x - h)) / (2 * h);
      expect(Math.abs((grad[i] as number) - numeric)).toBeLessThan(2e-3);
    });
  });

  it('normalizes rows to unit length', () => {
    const n = tf.tidy(() => l2Normalize(tf.tensor2d([[3, 4], [0, 0]])).arraySync());
    expect(flat(n).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.6, 0.8, 0, 0]);
  });
});

describe('half-precision checkpoints', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('F16 and BF16 copies of bert-dot load as float32 with the rounded values and give the reference outputs within half-precision error', () => {
    const original = readPretrainedFolder(fixtureFolder('bert-dot'));
    const want = expected['bert-dot'];
    for (const [stored, round, tolerance] of [
      ['F16', (v: number) => halfToFloat(floatToHalf(v)), 5e-3],
      ['BF16', (v: number) => bfloat16ToFloat(floatToBfloat16(v)), 5e-2],
    ] as const) {
      const files = editTensors(fixtureFolder('bert-dot'), 'model.safetensors', (ts) => ts.map((t) => ({ ...t, stored })));
      const m = readPretrainedFolder(files);
      expect(m.storedAs).toBe(stored);
      const name = 'encoder.layer.0.attention.self.key.weight';
      expect(Array.from(m.weights.get(name)!.data)).toEqual(Array.from(original.weights.get(name)!.data, round));
      const loaded = load(m);
      const q = vectors(loaded, expected.query_ids, 16);
      const p = vectors(loaded, expected.passage_ids, 48);
      loaded.params.dispose();
      const err = maxAbsDiff(flat(q), flat(want.query_embeddings));
      expect(err, stored).toBeLessThan(tolerance);
      // Rounding changed something: the test would pass vacuously if the weights were still float32.
      expect(err, stored).toBeGreaterThan(1e-6);
      expect(maxRelDiff(q.map((v, i) => dot(v, p[i] as number[])), want.scores), stored).toBeLessThan(tolerance);
    }
  });
});
