/**
 * The model files as a web page gets them: transformers.js (`@huggingface/transformers`, offline, on
 * onnxruntime-node's CPU binary) loads `onnx/model.onnx` (dtype fp32) and `onnx/model_quantized.onnx` (dtype q8)
 * from a folder and gives the PyTorch reference outputs, and the int8 file's own outputs. Token ids come from
 * the fixture (the tokenizer files are another part of the export).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AutoModel, env, Tensor } from '@huggingface/transformers';
import { webModelFiles } from '../../export/onnx/web';
import { readPretrainedFolder } from './folder';
import { fixtureFolder, hfExpected, HF_MODELS } from '../../testing/hf-fixtures';
import { padded, relativeError, runOnnx, type Batch } from '../../testing/onnx';

const expected = hfExpected();
let root = '';

const feeds = (b: Batch) => {
  const t = (a: Int32Array | Float32Array) => new Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [b.rows, b.length]);
  // transformers.js feeds a session only the inputs it declares: DistilBERT's has no token_type_ids.
  return { input_ids: t(b.ids), attention_mask: t(b.mask), token_type_ids: t(b.types) };
};

describe('transformers.js loads the exported model files', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'web-export-'));
    env.allowRemoteModels = false;
    env.localModelPath = root;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const name of HF_MODELS) {
    it(`${name}: fp32 gives the reference, q8 the int8 file's outputs`, async () => {
      const model = readPretrainedFolder(fixtureFolder(name));
      const files = webModelFiles(model);
      for (const f of files) {
        mkdirSync(dirname(join(root, name, f.path)), { recursive: true });
        writeFileSync(join(root, name, f.path), f.bytes);
      }
      const cross = model.kind === 'cross-encoder';
      const batch = cross ? padded(expected.pair_ids, expected.pair_token_types) : padded(expected.query_ids);
      const output = cross ? 'logits' : 'sentence_embedding';
      const reference = cross ? expected['bert-cross-encoder'].logits : expected[name as 'bert-dot' | 'distilbert-dot'].query_embeddings.flat();
      const fp32 = await AutoModel.from_pretrained(name, { dtype: 'fp32' });
      const out = await fp32(feeds(batch));
      expect(relativeError(out[output].data as Float32Array, reference)).toBeLessThan(1e-4);
      await fp32.dispose();
      const q8 = await AutoModel.from_pretrained(name, { dtype: 'q8' });
      const quantized = (await q8(feeds(batch)))[output].data as Float32Array;
      await q8.dispose();
      const int8Bytes = files.find((f) => f.path === 'onnx/model_quantized.onnx')!.bytes;
      expect(relativeError(quantized, (await runOnnx(int8Bytes, model, batch))[output]!)).toBeLessThan(1e-6);
      expect(relativeError(quantized, reference)).toBeGreaterThan(0);
    });
  }
});
