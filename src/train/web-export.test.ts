/**
 * From a student to the transformers.js model files: a dot student with a Dense projection of its own and a cat
 * student, described as the Hugging Face export describes them, written as ONNX and run in onnxruntime, give the
 * student's own scores (tfjs CPU); a ColBERT student is refused with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { createStudent } from '../model/students';
import { isVectorStudent, type StudentConfig } from '../model/students/student';
import { tokenBatch } from '../model/layers/transformer';
import { FUSED_KERNELS } from '../model/kernels';
import { readPretrainedFolder, type PretrainedModel } from '../model/pretrained/folder';
import { tokenizerForVocab } from '../text/tokenizers';
import { webModelFiles } from '../export/onnx/web';
import type { HfFile } from '../export/hf';
import { fixtureFolder, hfExpected } from '../testing/hf-fixtures';
import { padded, relativeError, runOnnx } from '../testing/onnx';
import { huggingFaceDescription } from './hf-export';

const expected = hfExpected();
const WEB = 'a web page (transformers.js)';

function configFor(model: PretrainedModel, queryLength: number, passageLength: number): StudentConfig {
  const tok = tokenizerForVocab(model.vocab);
  const d = model.dims;
  return { queryLength, passageLength, hidden: d.hidden, heads: d.heads, ffn: d.ffn, layers: d.layers, pooling: model.pooling, compressDim: 8, jointLayers: 1, vocabSize: d.vocabSize, cls: tok.cls, sep: tok.sep };
}

/** Rows without [CLS]/[SEP], padded to `length`, as the dataset stores them. */
function stored(rows: number[][], length: number): Int32Array {
  const out = new Int32Array(rows.length * length);
  rows.forEach((r, i) => out.set(r, i * length));
  return out;
}

const file = (files: HfFile[], path: string) => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(', ')}`);
  return f.bytes;
};
const jsonOf = (files: HfFile[], path: string) => JSON.parse(new TextDecoder().decode(file(files, path))) as Record<string, unknown>;

describe('web export of a student', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('dot with a Dense projection of its own: sentence_embedding is the vector the student scores with', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-dot'));
    const student = createStudent('dot', configFor(model, 14, 46), 3, FUSED_KERNELS, model, 12);
    if (!isVectorStudent(student)) throw new Error('the dot student must embed');
    const files = webModelFiles(await huggingFaceDescription(student, WEB));
    expect(files.map((f) => f.path).sort()).toEqual(['1_Pooling/config.json', 'config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']);
    expect(jsonOf(files, 'config.json').architectures).toEqual(['BertModel']);
    expect(jsonOf(files, '1_Pooling/config.json').pooling_mode_mean_tokens).toBe(true);
    const inner = expected.passage_ids.map((ids) => ids.slice(1, -1));
    const studio = tf.tidy(() => student.embed(tokenBatch(stored(inner, 46), inner.length, 46)).dataSync() as Float32Array);
    expect(studio.length).toBe(6 * 12);
    const onnx = await runOnnx(file(files, 'onnx/model.onnx'), model, padded(expected.passage_ids));
    expect(relativeError(onnx.sentence_embedding!, studio)).toBeLessThan(1e-4);
    const int8 = await runOnnx(file(files, 'onnx/model_quantized.onnx'), model, padded(expected.passage_ids));
    expect(relativeError(int8.sentence_embedding!, studio)).toBeLessThan(0.05);
    student.dispose();
  });

  it('cat: logits are the student\'s scores', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
    const sep = tokenizerForVocab(model.vocab).sep;
    const qs = expected.pair_ids.map((ids) => ids.slice(1, ids.indexOf(sep)));
    const ps = expected.pair_ids.map((ids, i) => ids.slice(qs[i]!.length + 2, -1));
    const pLen = Math.max(...ps.map((p) => p.length));
    const student = createStudent('cat', configFor(model, 16, pLen), 3, FUSED_KERNELS, model);
    const files = webModelFiles(await huggingFaceDescription(student, WEB));
    expect(files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']);
    expect(jsonOf(files, 'config.json').architectures).toEqual(['BertForSequenceClassification']);
    const n = qs.length;
    const studio = tf.tidy(() => student.scorePairs(tokenBatch(stored(qs, 16), n, 16), tokenBatch(stored(ps, pLen), n, pLen)).dataSync() as Float32Array);
    const onnx = await runOnnx(file(files, 'onnx/model.onnx'), model, padded(expected.pair_ids, expected.pair_token_types));
    expect(relativeError(onnx.logits!, studio)).toBeLessThan(1e-4);
    student.dispose();
  });

  it('refuses a ColBERT student with the reason', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-dot'));
    const student = createStudent('colbert', { ...configFor(model, 8, 20), layers: 1 }, 3, FUSED_KERNELS, model);
    await expect(huggingFaceDescription(student, WEB)).rejects.toThrow('cannot export as a web page (transformers.js): a colbert student has no class in transformers or sentence-transformers');
    student.dispose();
  });
});
