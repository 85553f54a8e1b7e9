/**
 * The export's claim, end to end: a model read from a Hugging Face folder, trained (here: weights changed in the
 * ParamSet), exported, zipped, unzipped and read again is the same model, weight for weight and output for output.
 * It lives in model/ because it drives the reader and the encoder; export/hf.test.ts checks the writer alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { huggingFaceFolder, zipFolder, type TrainingSummary } from '../../export/hf';
import { readSafetensors } from '../../export/safetensors';
import { Rng } from '../../util/random';
import { bertEncode, bertInputs, crossEncoderLogits, readWeights, loadPretrainedParams, sentenceVectors } from '../layers/bert';
import { ParamSet } from '../layers/params';
import { readPretrainedFolder, type FolderFile, type PretrainedModel } from './folder';
import { pairSequences, singleSequences } from './sequences';
import { fileText, fixtureFolder, hfExpected, HF_MODELS } from '../../testing/hf-fixtures';
import { FUSED_KERNELS as K } from '../kernels';

const SUMMARY: TrainingSummary = { baseModel: 'hf-tiny', teacherFiles: ['teacher-ids.tsv'], loss: 'Margin-MSE', steps: 3, learningRate: 1e-5, evaluation: [] };
const expected = hfExpected();
const strip = (ids: number[]) => ids.slice(1, -1);

/** Outputs of a model on the reference texts: sentence vectors of the passages, or the pairs' logits. */
function outputs(model: PretrainedModel, params: ParamSet): number[] {
  const spec = { type: model.type, dims: model.dims };
  const specials = { cls: 12, sep: 13 };
  return tf.tidy(() => {
    if (model.kind === 'cross-encoder') {
      const batch = pairSequences(expected.query_ids.map(strip), expected.passage_ids.map(strip), 61, specials);
      return Array.from(crossEncoderLogits(K, params, spec, bertEncode(K, params, spec, bertInputs(batch, model.type === 'bert'))).dataSync());
    }
    const inputs = bertInputs(singleSequences(expected.passage_ids.map(strip), 48, specials), model.type === 'bert');
    return Array.from(sentenceVectors(K, params, bertEncode(K, params, spec, inputs), inputs.mask, model).dataSync());
  });
}

function paramsOf(model: PretrainedModel): ParamSet {
  const params = new ParamSet(new Rng(7));
  loadPretrainedParams(params, model.weights, model.dense);
  return params;
}

function throughZip(files: { path: string; bytes: Uint8Array }[]): FolderFile[] {
  return Object.entries(unzipSync(zipFolder(files, 'exported'))).map(([path, bytes]) => ({ path, bytes }));
}

describe('export → zip → read back, for each hf-tiny model', () => {
  const held: ParamSet[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => held.forEach((p) => p.dispose()));

  for (const name of HF_MODELS) {
    it(`${name}: an unchanged model keeps the original tensor names and shapes, and its sizes`, () => {
      const original = fixtureFolder(name);
      const model = readPretrainedFolder(original);
      const files = huggingFaceFolder(model, SUMMARY);
      const header = (fs: { path: string; bytes: Uint8Array }[]) => readSafetensors(fs.find((f) => f.path === 'model.safetensors')!.bytes).tensors.map((t) => [t.name, t.shape]);
      expect(header(files).sort()).toEqual(header(original).sort());
      const config = (fs: FolderFile[]) => JSON.parse(fileText(fs, 'config.json')) as Record<string, unknown>;
      const sizeKeys = ['architectures', 'model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'dim', 'n_layers', 'n_heads', 'hidden_dim', 'max_position_embeddings', 'type_vocab_size', 'layer_norm_eps', 'hidden_act', 'activation', 'id2label'];
      const pick = (c: Record<string, unknown>) => Object.fromEntries(sizeKeys.filter((k) => k in c).map((k) => [k, c[k]]));
      expect(pick(config(files))).toEqual(pick(config(original)));
      expect(fileText(files, 'vocab.txt')).toBe(fileText(original, 'vocab.txt'));
      if (model.kind === 'bi-encoder') {
        const pooling = JSON.parse(fileText(files, '1_Pooling/config.json')) as Record<string, boolean>;
        expect([pooling.pooling_mode_cls_token, pooling.pooling_mode_mean_tokens]).toEqual(name === 'bert-dot' ? [false, true] : [true, false]);
      }
    });

    it(`${name}: trained weights come back bit for bit and give the same outputs`, async () => {
      const model = readPretrainedFolder(fixtureFolder(name));
      const params = paramsOf(model);
      held.push(params);
      // Stand in for training: move every weight, so that a reader falling back to the original would be caught.
      for (const v of params.list()) {
        const moved = tf.tidy(() => v.add(tf.randomUniform(v.shape, -0.01, 0.01, 'float32', 3)));
        v.assign(moved);
        moved.dispose();
      }
      const trained: PretrainedModel = { ...model, weights: await readWeights(params, model.weights.keys()) };
      const back = readPretrainedFolder(throughZip(huggingFaceFolder(trained, SUMMARY)));
      expect(back).toMatchObject({ type: model.type, kind: model.kind, architecture: model.architecture, pooling: model.pooling, lowercase: model.lowercase, dims: model.dims, ignoredTensors: [] });
      expect([...back.weights.keys()]).toEqual([...trained.weights.keys()]);
      for (const [n, w] of trained.weights) {
        expect(back.weights.get(n)!.shape, n).toEqual(w.shape);
        const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        expect(bytes(back.weights.get(n)!.data).equals(bytes(w.data)), n).toBe(true);
      }
      const again = paramsOf(back);
      const untouched = paramsOf(model);
      held.push(again, untouched);
      const before = outputs(model, untouched);
      const after = outputs(back, again);
      expect(after).toEqual(outputs(trained, params));
      // And the training actually changed the outputs.
      expect(Math.max(...after.map((a, i) => Math.abs(a - (before[i] as number))))).toBeGreaterThan(1e-4);
    }, 30_000);
  }

  it('keeps a Dense projection and Normalize through the round trip', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-dot'));
    const dense = { weight: { shape: [4, 32], data: Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)) }, bias: { shape: [4], data: Float32Array.of(0.1, -0.2, 0.3, -0.4) } };
    const withHead: PretrainedModel = { ...model, dense, normalize: true };
    const back = readPretrainedFolder(throughZip(huggingFaceFolder(withHead, SUMMARY)));
    expect(back.normalize).toBe(true);
    expect(Array.from(back.dense!.weight.data)).toEqual(Array.from(dense.weight.data));
    expect(Array.from(back.dense!.bias!.data)).toEqual(Array.from(dense.bias.data));
    const [a, b] = [paramsOf(withHead), paramsOf(back)];
    held.push(a, b);
    const v = outputs(back, b);
    expect(v).toEqual(outputs(withHead, a));
    expect(v).toHaveLength(6 * 4);
    // Normalised: each 4-vector has unit length.
    for (let r = 0; r < 6; r++) expect(Math.hypot(...v.slice(r * 4, r * 4 + 4))).toBeCloseTo(1, 5);
  });
});
