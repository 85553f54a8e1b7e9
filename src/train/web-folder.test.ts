/**
 * The web export's folder, as a person uses it: unzipped, its README's JavaScript copied out as written and run with
 * Node beside the folder (transformers.js offline on onnxruntime-node), printing the scores the studio's own student
 * gives the same texts (tfjs CPU, the studio's tokenizer), within 1e-4 relative. A dot student with a Dense projection
 * and a cat student, both from the hf-tiny checkpoints.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { createStudent } from '../model/students';
import { isVectorStudent, type StudentConfig } from '../model/students/student';
import { tokenBatch } from '../model/layers/transformer';
import { FUSED_KERNELS } from '../model/kernels';
import { readPretrainedFolder, type PretrainedModel } from '../model/pretrained/folder';
import { tokenizerForVocab } from '../text/tokenizers';
import { zipFolder, type TrainingSummary } from '../export/hf';
import { SNIPPET_PASSAGES, SNIPPET_QUERY, webFolder, type WebLengths } from '../export/web';
import { fixtureFolder } from '../testing/hf-fixtures';
import { relativeError } from '../testing/onnx';
import { huggingFaceDescription } from './hf-export';

const run = promisify(execFile);
const LENGTHS: WebLengths = { queryLength: 6, passageLength: 12 };
const SUMMARY: TrainingSummary = { baseModel: 'hf-tiny', teacherFiles: ['teacher.tsv'], loss: 'margin-mse', steps: 0, learningRate: 7e-6, evaluation: [] };
let root = '';

function configFor(model: PretrainedModel): StudentConfig {
  const tok = tokenizerForVocab(model.vocab);
  const d = model.dims;
  return { ...LENGTHS, hidden: d.hidden, heads: d.heads, ffn: d.ffn, layers: d.layers, pooling: model.pooling, compressDim: 8, jointLayers: 1, vocabSize: d.vocabSize, cls: tok.cls, sep: tok.sep };
}

/** Token rows without [CLS]/[SEP], cut to `length` and padded with 0, as the dataset stores them. */
function stored(texts: readonly string[], vocab: readonly string[], length: number): Int32Array {
  const tok = tokenizerForVocab(vocab);
  const out = new Int32Array(texts.length * length);
  texts.forEach((t, i) => out.set(tok.tokenize(t).subarray(0, length), i * length));
  return out;
}

/** Unzips the export into `root`, copies the README's one js block out as written, runs it there, and returns its printed scores. */
async function runReadmeSnippet(zip: Uint8Array): Promise<{ scores: number[]; readme: string }> {
  let readme = '';
  for (const [path, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
    if (path.endsWith('/README.md')) readme = strFromU8(bytes);
  }
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks).toHaveLength(1);
  writeFileSync(join(root, 'score.mjs'), blocks[0] as string);
  const { stdout } = await run(process.execPath, ['score.mjs'], { cwd: root, timeout: 120_000 });
  return { scores: JSON.parse(stdout.trim().split('\n').pop() as string) as number[], readme };
}

describe("the web export's README snippet, run as written", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'web-folder-'));
    // The snippet imports @huggingface/transformers as a page's bundle or a Node script would: from node_modules.
    symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('dot with a Dense projection: the snippet prints the studio\'s dot products', async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-dot'));
    const student = createStudent('dot', configFor(model), 5, FUSED_KERNELS, model, 12);
    if (!isVectorStudent(student)) throw new Error('the dot student must embed');
    const files = webFolder(await huggingFaceDescription(student), 'dot-web', SUMMARY, LENGTHS);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', '1_Pooling/config.json', 'README.md']));
    const n = SNIPPET_PASSAGES.length;
    const studio = tf.tidy(() => {
      const q = student.embed(tokenBatch(stored([SNIPPET_QUERY], model.vocab, LENGTHS.queryLength), 1, LENGTHS.queryLength));
      const p = student.embed(tokenBatch(stored(SNIPPET_PASSAGES, model.vocab, LENGTHS.passageLength), n, LENGTHS.passageLength));
      return tf.matMul(p, q, false, true).dataSync() as Float32Array;
    });
    const { scores, readme } = await runReadmeSnippet(zipFolder(files, 'dot-web'));
    expect(readme).toContain('sentence_embedding');
    expect(scores).toHaveLength(n);
    expect(relativeError(scores, studio)).toBeLessThan(1e-4);
    student.dispose();
  });

  it("cat: the snippet prints the studio's pair logits", async () => {
    const model = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
    const student = createStudent('cat', configFor(model), 5, FUSED_KERNELS, model);
    const files = webFolder(await huggingFaceDescription(student), 'cat-web', SUMMARY, LENGTHS);
    expect(files.map((f) => f.path)).not.toContain('1_Pooling/config.json');
    const n = SNIPPET_PASSAGES.length;
    // The texts are longer than the budgets (the snippet's cutting is exercised); the studio's pairs are cut below.
    const tok = tokenizerForVocab(model.vocab);
    for (const p of SNIPPET_PASSAGES) expect(tok.tokenize(p).length).toBeGreaterThan(LENGTHS.passageLength);
    // Each side carries what the pair's cut can keep of it (query + passage + 3 tokens); the student cuts the pair.
    const side = LENGTHS.queryLength + LENGTHS.passageLength + 3;
    const studio = tf.tidy(() => {
      const q = tokenBatch(stored(SNIPPET_PASSAGES.map(() => SNIPPET_QUERY), model.vocab, side), n, side);
      const p = tokenBatch(stored(SNIPPET_PASSAGES, model.vocab, side), n, side);
      return student.scorePairs(q, p).dataSync() as Float32Array;
    });
    const { scores } = await runReadmeSnippet(zipFolder(files, 'cat-web'));
    expect(scores).toHaveLength(n);
    expect(relativeError(scores, studio)).toBeLessThan(1e-4);
    student.dispose();
  });
});
