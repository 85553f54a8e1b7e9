/**
 * The ONNX export's claim: for each hf-tiny model, the `.onnx` bytes run in onnxruntime give the PyTorch reference
 * outputs (hf-tiny/expected.json) and the studio's own tfjs forward of the same weights; the int8 model ranks like
 * the float one. Lives in model/ because it drives the folder reader and the tfjs encoder; export/onnx/proto.test.ts
 * checks the wire format alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { onnxModel } from '../../export/onnx/bert';
import { Rng } from '../../util/random';
import { bertEncode, bertInputs, crossEncoderLogits, loadPretrainedParams, sentenceVectors } from '../layers/bert';
import { ParamSet } from '../layers/params';
import { readPretrainedFolder, type PretrainedModel } from './folder';
import { fixtureFolder, hfExpected } from '../../testing/hf-fixtures';
import { FUSED_KERNELS as K } from '../kernels';

const expected = hfExpected();

/** Rows of ids padded with 0 to the longest, with their mask and token types. */
interface Batch {
  rows: number;
  length: number;
  ids: Int32Array;
  mask: Float32Array;
  types: Int32Array;
}

function padded(rows: readonly number[][], types?: readonly number[][]): Batch {
  const length = Math.max(...rows.map((r) => r.length));
  const b: Batch = { rows: rows.length, length, ids: new Int32Array(rows.length * length), mask: new Float32Array(rows.length * length), types: new Int32Array(rows.length * length) };
  rows.forEach((r, i) => {
    b.ids.set(r, i * length);
    b.mask.fill(1, i * length, i * length + r.length);
    if (types) b.types.set(types[i] as number[], i * length);
  });
  return b;
}

const int64 = (a: Int32Array | Float32Array, b: Batch) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [b.rows, b.length]);

async function runOnnx(bytes: Uint8Array, model: PretrainedModel, b: Batch): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(b.ids, b), attention_mask: int64(b.mask, b) };
  if (model.type === 'bert') feeds.token_type_ids = int64(b.types, b);
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

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

/** Largest |a − b| over the largest |reference|: the relative error of a whole output. */
function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let top = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (reference[i] as number)));
    top = Math.max(top, Math.abs(reference[i] as number));
  }
  return diff / top;
}

const dotScores = (q: Float32Array, p: Float32Array, rows: number) => {
  const d = q.length / rows;
  return Array.from({ length: rows }, (_, r) => q.subarray(r * d, r * d + d).reduce((s, v, i) => s + v * (p[r * d + i] as number), 0));
};

const TOLERANCE = 1e-4;

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
