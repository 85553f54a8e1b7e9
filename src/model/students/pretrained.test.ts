import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { readPretrainedFolder, type PretrainedModel } from '../pretrained/folder';
import { fixtureFolder, hfExpected, maxAbsDiff, type HfFixture } from '../../testing/hf-fixtures';
import { tokenBatch } from '../layers/transformer';
import { tokenizerForVocab } from '../../text/tokenizers';
import { createStudent } from './index';
import { isVectorStudent, type StudentConfig } from './student';
import { studentOf, type Arch } from './registry';
import { batchLengths } from './descriptor';
import { longestFirst } from '../../text/pair-cut';
import { PretrainedDotStudent } from './dot/model';
import { FUSED_KERNELS } from '../kernels';

const expected = hfExpected();

function load(name: HfFixture): PretrainedModel {
  return readPretrainedFolder(fixtureFolder(name));
}

function configFor(model: PretrainedModel, lengths: { queryLength: number; passageLength: number }, extra: Partial<StudentConfig> = {}): StudentConfig {
  const tok = tokenizerForVocab(model.vocab);
  const d = model.dims;
  return { ...lengths, hidden: d.hidden, heads: d.heads, ffn: d.ffn, layers: d.layers, pooling: model.pooling, compressDim: 8, jointLayers: 1, vocabSize: d.vocabSize, cls: tok.cls, sep: tok.sep, ...extra };
}

/** Padded id rows without specials, as the dataset stores them, from the fixture's token lists with specials. */
function padded(rows: number[][], length: number): Int32Array {
  const out = new Int32Array(rows.length * length);
  rows.forEach((r, i) => out.set(r.slice(0, length), i * length));
  return out;
}
const inner = (ids: number[]) => ids.slice(1, -1);
const sepOf = (model: PretrainedModel) => tokenizerForVocab(model.vocab).sep;

describe('students on a pretrained checkpoint (CPU backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['bert-dot', 'mean'],
    ['distilbert-dot', 'cls'],
  ] as const)('%s: the dot student gives the reference embeddings and scores from stored token rows', (name, pooling) => {
    const model = load(name);
    expect(model.pooling).toBe(pooling);
    // The fixture cut queries at 16 and passages at 48 tokens with [CLS] and [SEP]: 14 and 46 without.
    const student = createStudent('dot', configFor(model, { queryLength: 14, passageLength: 46 }), 1, FUSED_KERNELS, model);
    expect(student).toBeInstanceOf(PretrainedDotStudent);
    if (!isVectorStudent(student)) throw new Error('the dot student must embed');
    const n = expected.pairs.length;
    const q = tokenBatch(padded(expected.query_ids.map(inner), 14), n, 14);
    const p = tokenBatch(padded(expected.passage_ids.map(inner), 46), n, 46);
    const ref = expected[name];
    const qv = student.embed(q);
    expect(maxAbsDiff(qv.dataSync(), ref.query_embeddings.flat())).toBeLessThan(1e-4);
    expect(maxAbsDiff(student.embed(p).dataSync(), ref.passage_embeddings.flat())).toBeLessThan(1e-4);
    const scores = student.scorePairs(q, p).dataSync();
    scores.forEach((s, i) => expect(Math.abs(s - ref.scores[i]!) / Math.abs(ref.scores[i]!)).toBeLessThan(1e-4));
    // Triples encode the query once; the same scores come out.
    const t = student.scoreTriples(q, p, p);
    expect(maxAbsDiff(t.pos.dataSync(), scores)).toBeLessThan(1e-5);
    student.dispose();
  });

  it('cat: the cross-encoder head of the checkpoint gives the reference logits, from stored tokens of any padding', () => {
    const model = load('bert-cross-encoder');
    // The fixture's pairs as stored rows: the query's tokens and the passage's, each without specials.
    const qs = expected.pair_ids.map((ids) => ids.slice(1, ids.indexOf(sepOf(model))));
    const ps = expected.pair_ids.map((ids, i) => ids.slice(qs[i]!.length + 2, -1));
    const pLen = Math.max(...ps.map((p) => p.length));
    const student = createStudent('cat', configFor(model, { queryLength: 16, passageLength: pLen }), 1, FUSED_KERNELS, model);
    const n = qs.length;
    // The longest pair fills [CLS] q [SEP] p [SEP]; shorter ones get padding, which changes nothing.
    const logits = student.scorePairs(tokenBatch(padded(qs, 16), n, 16), tokenBatch(padded(ps, pLen), n, pLen)).dataSync();
    logits.forEach((l, i) => expect(Math.abs(l - expected['bert-cross-encoder'].logits[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected['bert-cross-encoder'].logits[i]!))));
    // One pair alone scores as in the batch.
    const alone = student.scorePairs(tokenBatch(padded([qs[4]!], 16), 1, 16), tokenBatch(padded([ps[4]!], pLen), 1, pLen)).dataSync();
    expect(Math.abs(alone[0]! - logits[4]!)).toBeLessThan(1e-5);
    student.dispose();
  });

  it('cat: cuts long pairs longest-first within queryLength + passageLength, as CrossEncoder does with max_length = their sum + 3', () => {
    const model = load('bert-cross-encoder');
    // Query length 8 and passage length 24: the fixture's queries (5 to 14 tokens) with passages of 37 to 46.
    const lengths = { queryLength: 8, passageLength: 24 };
    const student = createStudent('cat', configFor(model, lengths), 1, FUSED_KERNELS, model);
    const qs = expected.query_ids.map(inner);
    const ps = expected.passage_ids.map(inner);
    const n = qs.length;
    const carried = batchLengths(studentOf('cat'), lengths);
    const whole = student.scorePairs(tokenBatch(padded(qs, carried.queryLength), n, carried.queryLength), tokenBatch(padded(ps, carried.passageLength), n, carried.passageLength)).dataSync();
    // Each pair cut by hand (pair-cut.ts), then scored with nothing more to cut: the same scores.
    const kept = qs.map((q, i) => longestFirst(q.length, ps[i]!.length, 32));
    expect(kept.some(([kq]) => kq > 8)).toBe(true);
    const byHand = kept.map(([kq, kp], i) => student.scorePairs(tokenBatch(padded([qs[i]!.slice(0, kq)], 40), 1, 40), tokenBatch(padded([ps[i]!.slice(0, kp)], 40), 1, 40)).dataSync()[0]!);
    byHand.forEach((v, i) => expect(Math.abs(v - whole[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    // The fixed budgets of before (query ≤ 8, passage ≤ 24) score some of these pairs differently.
    const fixed = student.scorePairs(tokenBatch(padded(qs, 8), n, 8), tokenBatch(padded(ps, 24), n, 24)).dataSync();
    expect(Math.max(...Array.from(fixed, (v, i) => Math.abs(v - whole[i]!)))).toBeGreaterThan(1e-3);
    student.dispose();
  });

  it('gives a padded batch the scores of each pair alone', () => {
    const model = load('bert-dot');
    const student = createStudent('dot', configFor(model, { queryLength: 20, passageLength: 60 }), 1, FUSED_KERNELS, model);
    const qs = expected.query_ids.map(inner);
    const ps = expected.passage_ids.map(inner);
    const all = student.scorePairs(tokenBatch(padded(qs, 20), qs.length, 20), tokenBatch(padded(ps, 60), ps.length, 60)).dataSync();
    qs.forEach((q, i) => {
      const one = student.scorePairs(tokenBatch(padded([q], 20), 1, 20), tokenBatch(padded([ps[i]!], 60), 1, 60)).dataSync();
      expect(Math.abs(one[0]! - all[i]!)).toBeLessThan(1e-4 * Math.abs(all[i]!));
    });
    student.dispose();
  });

  it.each(['colbert', 'prett', 'tk', 'cat'] as Arch[])('%s on bert-dot: builds, adds only its own new weights, and scores finitely', (arch) => {
    const model = load('bert-dot');
    const student = createStudent(arch, configFor(model, { queryLength: 8, passageLength: 20 }, { layers: 1 }), 3, FUSED_KERNELS, model);
    const qs = expected.query_ids.map(inner);
    const ps = expected.passage_ids.map(inner);
    const s = student.scorePairs(tokenBatch(padded(qs, 8), qs.length, 8), tokenBatch(padded(ps, 20), ps.length, 20)).dataSync();
    expect(s).toHaveLength(6);
    expect(Array.from(s).every(Number.isFinite)).toBe(true);
    // The checkpoint's embeddings are the student's (tk copies the word embeddings into its own table).
    const words = model.weights.get('embeddings.word_embeddings.weight')!;
    const name = arch === 'tk' ? 'encoder/tok_emb' : 'embeddings.word_embeddings.weight';
    expect(maxAbsDiff(student.params.get(name).dataSync(), words.data)).toBe(0);
    student.dispose();
  });

  it('dot: a projection of its own when asked, shaped as sentence-transformers Dense [out, in]', () => {
    const model = load('bert-dot');
    const student = createStudent('dot', configFor(model, { queryLength: 8, passageLength: 20 }), 3, FUSED_KERNELS, model, 12);
    if (!isVectorStudent(student)) throw new Error('the dot student must embed');
    expect(student.vectorSize).toBe(12);
    expect(student.params.get('dense.linear.weight').shape).toEqual([12, 32]);
    const v = student.embed(tokenBatch(padded(expected.query_ids.map(inner), 8), 6, 8));
    expect(v.shape).toEqual([6, 12]);
    student.dispose();
  });

  it('prett refuses a split outside the checkpoint', () => {
    const model = load('bert-dot');
    expect(() => createStudent('prett', configFor(model, { queryLength: 8, passageLength: 20 }, { layers: 2 }), 3, FUSED_KERNELS, model)).toThrow("PreTTR splits the model's 2 layers: the split (layers) must be 0 to 1, got 2");
  });
});
