// The teacher path from texts: the fixture pairs' texts tokenized with the teacher's vocabulary, cut longest-first
// to 64 tokens (queries first cut at 16, as the fixture's were), scored by the library cross-encoder, against the PyTorch reference logits in expected.json.
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { readPretrainedFolder } from '../model/pretrained/folder';
import { fixtureFolder, hfExpected } from '../testing/hf-fixtures';
import { tokenizerForVocab } from '../text/tokenizers';
import { FUSED_KERNELS, STOCK_KERNELS } from '../model/kernels';
import { ATTENTION_BYTES, crossEncoderScorer, pairBudgetFor, pairsPerForward } from './scorer';
import { teacherPassageRows, teacherRowsName } from './tokens';
import { MemoryFolder } from '../data/rows/files';
import type { TextColumns } from '../data/store/schema';
import type { TokenSource } from '../eval/collection';

const expected = hfExpected();
const model = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
const tokenizer = tokenizerForVocab(model.vocab);
const pairs = expected.pairs;
const reference = expected['bert-cross-encoder'].logits;

/** The passages as a stored chunk would hold them (texts; the tokens are another tokenizer's, here none). */
function passageChunk(texts: string[]): TextColumns {
  const enc = new TextEncoder();
  const bytes = texts.map((t) => enc.encode(t));
  const textOffsets = new Uint32Array(texts.length + 1);
  bytes.forEach((b, i) => (textOffsets[i + 1] = (textOffsets[i] as number) + b.length));
  const text = new Uint8Array(textOffsets[texts.length] as number);
  bytes.forEach((b, i) => text.set(b, textOffsets[i] as number));
  return { id: Int32Array.from(texts, (_t, i) => 5000 + i), tokOffsets: new Uint32Array(texts.length + 1), tokens: new Int32Array(0), textOffsets, text };
}

const rows = Int32Array.from(pairs, (_p, i) => i);

describe('a library cross-encoder as the teacher (CPU backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['fused', FUSED_KERNELS],
    ['stock', STOCK_KERNELS],
  ] as const)('scores the fixture pairs from their texts as the PyTorch reference does, within 1e-4 relative (%s kernels)', async (_name, kernels) => {
    const passages: TokenSource = {
      padded: (r, length) => {
        const out = new Int32Array(r.length * length);
        for (let k = 0; k < r.length; k++) out.set(tokenizer.tokenize((pairs[r[k] as number] as { passage: string }).passage).subarray(0, length), k * length);
        return out;
      },
    };
    const teacher = crossEncoderScorer(model, tokenizer, { maxLength: 64, maxQueryTokens: 16, kernels, forwardBatch: 4 }, (r) => (pairs[r] as { query: string }).query, passages);
    const scores = await teacher.score(rows, rows, () => undefined);
    teacher.release();
    expect(scores).toHaveLength(reference.length);
    scores.forEach((s, i) => expect(Math.abs(s - reference[i]!) / Math.abs(reference[i]!)).toBeLessThan(1e-4));
    // A different cut (max length 32) gives other logits: the length is honoured, not ignored.
    const short = crossEncoderScorer(model, tokenizer, { maxLength: 32, maxQueryTokens: 16, kernels }, (r) => (pairs[r] as { query: string }).query, passages);
    const cut = await short.score(rows, rows, () => undefined);
    short.release();
    expect(Math.max(...Array.from(cut, (s, i) => Math.abs(s - reference[i]!)))).toBeGreaterThan(1e-3);
  });

  it('reads passages tokenized into a file of their own when the dataset has other tokens, with the same scores', async () => {
    const folder = new MemoryFolder();
    const chunk = passageChunk(pairs.map((p) => p.passage));
    const read = async (_table: string, visit: (c: TextColumns) => void | Promise<void>) => {
      await visit(chunk);
    };
    const done: number[] = [];
    const file = await teacherPassageRows(folder, read as never, pairs.length, tokenizer, 61, (n) => done.push(n));
    expect(done).toEqual([pairs.length]);
    expect(Array.from(file.ids())).toEqual(Array.from(chunk.id));
    // Built once: a second open reads the file (no pass over the passages).
    const again = await teacherPassageRows(folder, (() => Promise.reject(new Error('read again'))) as never, pairs.length, tokenizer, 61);
    expect(await folder.list()).toContain(teacherRowsName(tokenizer.id, 61));
    const teacher = crossEncoderScorer(model, tokenizer, { maxLength: 64, maxQueryTokens: 16, kernels: FUSED_KERNELS }, (r) => (pairs[r] as { query: string }).query, { padded: (r, l) => again.gather(r, l) });
    const scores = await teacher.score(rows, rows, () => undefined);
    teacher.release();
    scores.forEach((s, i) => expect(Math.abs(s - reference[i]!) / Math.abs(reference[i]!)).toBeLessThan(1e-4));
  });

  it('refuses a bi-encoder as the teacher and a length over the model positions', () => {
    const dot = readPretrainedFolder(fixtureFolder('bert-dot'));
    const none: TokenSource = { padded: () => new Int32Array(0) };
    expect(() => crossEncoderScorer(dot, tokenizer, { maxLength: 64, kernels: FUSED_KERNELS }, () => '', none)).toThrow('the teacher must be a cross-encoder');
    expect(() => pairBudgetFor(129, 128)).toThrow("a max length of 129 tokens is over the teacher's 128 positions");
    expect(() => pairBudgetFor(3, 128)).toThrow('at least 4');
    expect(pairBudgetFor(64, 128)).toBe(61);
  });

  it("takes as many pairs a forward as keep a layer's attention scores within 128 MiB", () => {
    expect(pairsPerForward(12, 256)).toBe(42);
    expect(pairsPerForward(12, 512)).toBe(10);
    expect(pairsPerForward(4, 64)).toBe(64);
    expect(pairsPerForward(16, 4096)).toBe(1);
    for (const [h, l] of [[12, 256], [12, 512], [16, 1024]] as const) expect(pairsPerForward(h, l) * h * l * l * 4).toBeLessThanOrEqual(ATTENTION_BYTES);
  });
});
