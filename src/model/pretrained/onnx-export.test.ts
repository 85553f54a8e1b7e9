/**
 * The ONNX export's claim: for each hf-tiny model, the `.onnx` bytes run in onnxruntime give the PyTorch reference
 * outputs (hf-tiny/expected.json) and the studio's own tfjs forward of the same weights; the int8 model ranks like
 * the float one. Lives in model/ because it drives the folder reader and the tfjs encoder; export/onnx/proto.test.ts
 * checks the wire format alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { onnxModel } from '../../export/onnx/bert';
import { Rng } from '../../util/random';
import { bertEncode, bertInputs, crossEncoderLogits, loadPretrainedParams, sentenceVectors } from '../layers/bert';
import { ParamSet } from '../layers/params';
import { readPretrainedFolder, type PretrainedModel } from './folder';
import { fixtureFolder, hfExpected } from '../../testing/hf-fixtures';
import { padded, relativeError, runOnnx, type Batch } from '../../testing/onnx';
import { FUSED_KERNELS as K } from '../kernels';

const expected = hfExpected();

/** The studio's forward on the tfjs CPU backend: sentence vectors, or the pairs' logits. */
function tfjsOutputs(model: PretrainedModel, b: Batch): Float32Array {
  const params = new ParamSet(new Rng(7));
  loadPretrainedParams(params, model.weights, model.dense);
  const spec = { type: model.type, dims: model.dims };
  try {
    return tf.tidy(() => {
      const inputs = bertInputs(b, model.type === 'bert');
      const states = bertEncode(K, params, spec, inputs);
      const out = model.kind === 'cross-encoder' ? crossEncoderLogits(K, params, spec, states) : sentenceVectors(K, params, states, inputs.mask, model);
      return out.dataSync() as Float32Array;
    });
  } finally {
    params.dispose();
  }
}

const dotScores = (q: Float32Array, p: Float32Array, rows: number) => {
  const d = q.length / rows;
  return Array.from({ length: rows }, (_, r) => q.subarray(r * d, r * d + d).reduce((s, v, i) => s + v * (p[r * d + i] as number), 0));
};

const TOLERANCE = 1e-4;

/** Random word pieces (no special tokens) between [CLS] and [SEP], `min`…`max` pieces each. */
function randomTexts(model: PretrainedModel, rng: Rng, count: number, min: number, max: number): number[][] {
  const [cls, sep] = [model.vocab.indexOf('[CLS]'), model.vocab.indexOf('[SEP]')];
  const firstWord = model.vocab.findIndex((t) => !/^\[.*\]$/.test(t));
  return Array.from({ length: count }, () => [cls, ...Array.from({ length: min + rng.int(max - min + 1) }, () => firstWord + rng.int(model.vocab.length - firstWord)), sep]);
}

/** `[CLS] q [SEP] p [SEP]` of random texts, token types 0 then 1. */
function randomPairs(model: PretrainedModel, rng: Rng, count: number): Batch {
  const q = randomTexts(model, rng, count, 3, 12);
  const p = randomTexts(model, rng, count, 10, 40);
  const ids = q.map((qi, i) => [...qi, ...p[i]!.slice(1)]);
  return padded(ids, ids.map((row, i) => row.map((_, j) => (j < q[i]!.length ? 0 : 1))));
}

/** Every query against every passage, query-major. */
function allPairScores(q: Float32Array, p: Float32Array, queries: number, passages: number): number[] {
  const d = q.length / queries;
  const out: number[] = [];
  for (let i = 0; i < queries; i++) for (let j = 0; j < passages; j++) out.push(q.subarray(i * d, i * d + d).reduce((s, v, k) => s + v * (p[j * d + k] as number), 0));
  return out;
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's ρ: Pearson's correlation of the ranks. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const topK = (scores: readonly number[], k: number) => scores.map((s, i) => [s, i] as const).sort((x, y) => y[0] - x[0]).slice(0, k).map(([, i]) => i);
const overlap = (a: readonly number[], b: readonly number[]) => a.filter((x) => b.includes(x)).length;

describe('ONNX export of the hf-tiny models, run in onnxruntime', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of ['bert-dot', 'distilbert-dot'] as const) {
    it(`${name}: sentence embeddings and scores match PyTorch and the studio`, async () => {
      const model = readPretrainedFolder(fixtureFolder(name));
      const bytes = onnxModel(model);
      const queries = padded(expected.query_ids);
      const passages = padded(expected.passage_ids);
      const q = await runOnnx(bytes, model, queries);
      const p = await runOnnx(bytes, model, passages);
      const ref = expected[name];
      expect(relativeError(q.sentence_embedding!, ref.query_embeddings.flat())).toBeLessThan(TOLERANCE);
      expect(relativeError(p.sentence_embedding!, ref.passage_embeddings.flat())).toBeLessThan(TOLERANCE);
      expect(relativeError(dotScores(q.sentence_embedding!, p.sentence_embedding!, 6), ref.scores)).toBeLessThan(TOLERANCE);
      expect(relativeError(q.sentence_embedding!, tfjsOutputs(model, queries))).toBeLessThan(TOLERANCE);
      expect(relativeError(p.sentence_embedding!, tfjsOutputs(model, passages))).toBeLessThan(TOLERANCE);
      if (name === 'bert-dot') {
        // The first query is the longest (no padding): its token vectors are the reference's.
        const first = expected['bert-dot'].query_last_hidden_state_0.flat();
        expect(relativeError(q.last_hidden_state!.subarray(0, first.length), first)).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('bert-cross-encoder: logits match PyTorch and the studio', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
    const pairs = padded(expected.pair_ids, expected.pair_token_types);
    const out = await runOnnx(onnxModel(model), model, pairs);
    expect(out.logits!.length).toBe(6);
    expect(relativeError(out.logits!, expected['bert-cross-encoder'].logits)).toBeLessThan(TOLERANCE);
    expect(relativeError(out.logits!, tfjsOutputs(model, pairs))).toBeLessThan(TOLERANCE);
  });

  for (const name of ['bert-dot', 'distilbert-dot'] as const) {
    it(`${name}: the int8 model ranks like the float one`, async () => {
      const model = readPretrainedFolder(fixtureFolder(name));
      const [fp32, int8] = [onnxModel(model), onnxModel(model, { int8: true })];
      // Every weight matrix and embedding table in int8, a quarter of its float32 bytes; biases, LayerNorms and the
      // graph stay as they were (measured 0.30 on hf-tiny).
      expect(int8.length / fp32.length).toBeLessThan(0.33);
      const rng = new Rng(11);
      const queries = padded(randomTexts(model, rng, 12, 4, 14));
      const passages = padded(randomTexts(model, rng, 40, 16, 46));
      const scores = async (bytes: Uint8Array) => {
        const q = (await runOnnx(bytes, model, queries)).sentence_embedding!;
        const p = (await runOnnx(bytes, model, passages)).sentence_embedding!;
        return allPairScores(q, p, queries.rows, passages.rows);
      };
      const [exact, quantized] = [await scores(fp32), await scores(int8)];
      // 12 × 40 = 480 query-passage scores.
      const rho = spearman(exact, quantized);
      console.log(`${name} int8 vs fp32: Spearman ${rho.toFixed(4)} over ${exact.length} pairs, relative error ${relativeError(quantized, exact).toExponential(2)}`);
      expect(rho).toBeGreaterThanOrEqual(0.9);
      // Close in value too (a wrong dequantization scale could keep the order), yet not equal: another computation.
      expect(relativeError(quantized, exact)).toBeLessThan(0.01);
      expect(relativeError(quantized, exact)).toBeGreaterThan(0);
      // The fixture's texts: each query's ranking of all six passages keeps its top 3 (at least 2 of them).
      const fq = padded(expected.query_ids);
      const fp = padded(expected.passage_ids);
      for (const bytes of [fp32, int8]) expect((await runOnnx(bytes, model, fq)).sentence_embedding!.length).toBe(6 * model.dims.hidden);
      const fixtureScores = async (bytes: Uint8Array) => allPairScores((await runOnnx(bytes, model, fq)).sentence_embedding!, (await runOnnx(bytes, model, fp)).sentence_embedding!, 6, 6);
      const [a, b] = [await fixtureScores(fp32), await fixtureScores(int8)];
      for (let q = 0; q < 6; q += 2) expect(overlap(topK(a.slice(q * 6, q * 6 + 6), 3), topK(b.slice(q * 6, q * 6 + 6), 3)), `query ${q}`).toBeGreaterThanOrEqual(2);
    });
  }

  it('bert-cross-encoder: the int8 model ranks pairs like the float one', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
    const rng = new Rng(13);
    const pairs = randomPairs(model, rng, 200);
    const exact = (await runOnnx(onnxModel(model), model, pairs)).logits!;
    const quantized = (await runOnnx(onnxModel(model, { int8: true }), model, pairs)).logits!;
    const rho = spearman(Array.from(exact), Array.from(quantized));
    console.log(`bert-cross-encoder int8 vs fp32: Spearman ${rho.toFixed(4)} over ${exact.length} pairs, relative error ${relativeError(quantized, exact).toExponential(2)}`);
    expect(rho).toBeGreaterThanOrEqual(0.9);
    expect(relativeError(quantized, exact)).toBeLessThan(0.12);
    const fixture = padded(expected.pair_ids, expected.pair_token_types);
    const [a, b] = [(await runOnnx(onnxModel(model), model, fixture)).logits!, (await runOnnx(onnxModel(model, { int8: true }), model, fixture)).logits!];
    // This random tiny cross-encoder's six fixture logits lie within 0.28–0.30 (pairs 0 and 1 differ by 0.0013),
    // closer than int8 resolves, so their order is no test here; their values are.
    expect(relativeError(b, a)).toBeLessThan(0.12);
  });

  it('spearman and ranks follow their definitions', () => {
    // Ties share the mean of their ranks: 10 and 10 take ranks 2 and 3 → 2.5 each.
    expect(ranks([5, 10, 10, 20])).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks a = 1 2 3 4, b = 2 1 4 3: Σd² = 4, ρ = 1 − 6·4 / (4·15) = 0.6
    expect(spearman([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
  });

  it('a Dense projection, [CLS] pooling and Normalize: the studio\'s vectors', async () => {
    const base = readPretrainedFolder(fixtureFolder('bert-dot'));
    const rng = new Rng(3);
    const dense = { weight: { shape: [8, base.dims.hidden], data: Float32Array.from({ length: 8 * base.dims.hidden }, () => rng.next() - 0.5) }, bias: { shape: [8], data: Float32Array.from({ length: 8 }, () => rng.next() - 0.5) } };
    const passages = padded(expected.passage_ids);
    for (const variant of [{ pooling: 'cls', normalize: false }, { pooling: 'mean', normalize: true }] as const) {
      const model: PretrainedModel = { ...base, ...variant, dense };
      const out = await runOnnx(onnxModel(model), model, passages);
      expect(out.sentence_embedding!.length).toBe(6 * 8);
      expect(relativeError(out.sentence_embedding!, tfjsOutputs(model, passages)), variant.pooling).toBeLessThan(TOLERANCE);
    }
  });
});
