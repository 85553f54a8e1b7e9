import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { huggingFaceFolder, zipFolder, type HfFile, type TrainingSummary } from './hf';
import { weightSpecs, type HfDims, type HfModelDescription, type HfModelKind, type HfModelType, type HfWeight } from './hf-layout';
import { readSafetensors } from './safetensors';
import { tokenizerJson } from './tokenizer-json';

const DIMS: HfDims = { layers: 1, hidden: 8, heads: 2, ffn: 16, vocabSize: 6, maxPositions: 20, typeVocabSize: 2, layerNormEps: 1e-12 };
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'margin'];

/** A model whose every value is distinct (weight index and position), so a swapped or transposed tensor shows. */
function model(type: HfModelType, kind: HfModelKind, extra: Partial<HfModelDescription> = {}): HfModelDescription {
  const dims = type === 'bert' ? DIMS : { ...DIMS, typeVocabSize: 0 };
  const weights = new Map<string, HfWeight>();
  weightSpecs(type, kind, dims).forEach((s, k) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    weights.set(s.name, { shape: s.shape, data: Float32Array.from({ length: size }, (_, i) => k + i / 1000) });
  });
  return { type, kind, dims, weights, pooling: 'mean', dense: null, normalize: false, vocab: VOCAB, lowercase: true, maxSeqLength: null, ...extra };
}

const SUMMARY: TrainingSummary = {
  baseModel: 'bert-tiny',
  teacherFiles: ['bert_cat_ensemble_msmarcopassage_train_scores_ids.tsv', 'odd|name.tsv'],
  loss: 'Margin-MSE',
  steps: 1200,
  learningRate: 7e-6,
  batchSize: 32,
  evaluation: [
    { system: 'student', metrics: { 'MRR@10': 0.31234, 'nDCG@10': 0.4 } },
    { system: 'BM25', metrics: { 'MRR@10': 0.187 } },
  ],
};

const byPath = (files: HfFile[]) => new Map(files.map((f) => [f.path, f.bytes]));
const jsonOf = (files: HfFile[], path: string) => JSON.parse(new TextDecoder().decode(byPath(files).get(path))) as Record<string, unknown>;
const textOf = (files: HfFile[], path: string) => new TextDecoder().decode(byPath(files).get(path));

describe('Hugging Face folder export', () => {
  it("says in the model card how the studio made the teacher triples, when it made them", () => {
    const made = 'made in Margin Studio: bert-cross-encoder scored 50 pairs; 40 triples';
    const card = textOf(huggingFaceFolder(model('bert', 'cross-encoder'), { ...SUMMARY, teacherMade: made }), 'README.md');
    expect(card).toContain(`| teacher triples | ${made} |`);
    expect(textOf(huggingFaceFolder(model('bert', 'cross-encoder'), SUMMARY), 'README.md')).not.toContain('teacher triples');
  });

  it('writes a BertModel bi-encoder with the sentence-transformers modules and the pooling it was trained with', () => {
    const files = huggingFaceFolder(model('bert', 'bi-encoder'), SUMMARY);
    expect(files.map((f) => f.path).sort()).toEqual(['1_Pooling/config.json', 'README.md', 'config.json', 'config_sentence_transformers.json', 'model.safetensors', 'modules.json', 'sentence_bert_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    expect(jsonOf(files, 'config.json')).toMatchObject({ architectures: ['BertModel'], model_type: 'bert', vocab_size: 6, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, hidden_act: 'gelu', max_position_embeddings: 20, type_vocab_size: 2, layer_norm_eps: 1e-12 });
    expect(jsonOf(files, '1_Pooling/config.json')).toMatchObject({ word_embedding_dimension: 8, pooling_mode_mean_tokens: true, pooling_mode_cls_token: false, pooling_mode_max_tokens: false });
    expect((jsonOf(files, 'modules.json') as unknown as { type: string }[]).map((m) => m.type)).toEqual(['sentence_transformers.models.Transformer', 'sentence_transformers.models.Pooling']);
    expect(jsonOf(files, 'config_sentence_transformers.json')).toMatchObject({ similarity_fn_name: 'dot' });
    expect(jsonOf(files, 'sentence_bert_config.json')).toEqual({ max_seq_length: 20, do_lower_case: false });
    expect(jsonOf(files, 'tokenizer_config.json')).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 20, cls_token: '[CLS]', mask_token: '[MASK]' });
    expect(textOf(files, 'vocab.txt')).toBe(VOCAB.join('\n') + '\n');
    // tokenizer.json (what transformers.js loads) over the same vocabulary; its own tests check it tokenizes as the studio.
    expect(jsonOf(files, 'tokenizer.json')).toEqual(JSON.parse(JSON.stringify(tokenizerJson(VOCAB))));
    expect(() => huggingFaceFolder(model('bert', 'bi-encoder', { lowercase: false }), SUMMARY)).toThrow('cannot export: the model is cased, and the studio tokenizes lower-cased only');
    const cls = huggingFaceFolder(model('bert', 'bi-encoder', { pooling: 'cls' }), SUMMARY);
    expect(jsonOf(cls, '1_Pooling/config.json')).toMatchObject({ pooling_mode_cls_token: true, pooling_mode_mean_tokens: false });
  });

  it('stores every weight as F32 under the library name and shape, values unchanged, with format pt', () => {
    const m = model('bert', 'bi-encoder');
    const st = readSafetensors(byPath(huggingFaceFolder(m, SUMMARY)).get('model.safetensors') as Uint8Array);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.tensors.map((t) => [t.name, t.shape])).toEqual([...m.weights].map(([n, w]) => [n, w.shape]));
    expect(st.tensors.every((t) => t.dtype === 'F32' && t.stored === undefined)).toBe(true);
    for (const t of st.tensors) expect(Array.from(t.data), t.name).toEqual(Array.from(m.weights.get(t.name)!.data));
  });

  it('writes a cross-encoder with base names under bert. / distilbert., the head unprefixed, one label and raw logits', () => {
    const bert = huggingFaceFolder(model('bert', 'cross-encoder'), SUMMARY);
    expect(jsonOf(bert, 'config.json')).toMatchObject({ architectures: ['BertForSequenceClassification'], id2label: { 0: 'LABEL_0' }, sbert_ce_default_activation_function: 'torch.nn.modules.linear.Identity' });
    const names = readSafetensors(byPath(bert).get('model.safetensors') as Uint8Array).tensors.map((t) => t.name);
    expect(names).toContain('bert.encoder.layer.0.attention.self.query.weight');
    expect(names).toContain('bert.pooler.dense.weight');
    expect(names.slice(-2)).toEqual(['classifier.weight', 'classifier.bias']);
    expect(byPath(bert).has('modules.json')).toBe(false);

    const distil = huggingFaceFolder(model('distilbert', 'cross-encoder'), SUMMARY);
    expect(jsonOf(distil, 'config.json')).toMatchObject({ architectures: ['DistilBertForSequenceClassification'], model_type: 'distilbert', dim: 8, n_layers: 1, n_heads: 2, hidden_dim: 16, activation: 'gelu' });
    const distilNames = readSafetensors(byPath(distil).get('model.safetensors') as Uint8Array).tensors.map((t) => t.name);
    expect(distilNames).toContain('distilbert.transformer.layer.0.ffn.lin1.weight');
    expect(distilNames.slice(-4)).toEqual(['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias']);
  });

  it('adds 2_Dense (identity activation, its own safetensors) and a Normalize module when the model has them', () => {
    const dense = { weight: { shape: [3, 8], data: Float32Array.from({ length: 24 }, (_, i) => i) }, bias: { shape: [3], data: Float32Array.of(1, 2, 3) } };
    const files = huggingFaceFolder(model('distilbert', 'bi-encoder', { dense, normalize: true }), SUMMARY);
    expect((jsonOf(files, 'modules.json') as unknown as { path: string; type: string }[]).map((m) => [m.path, m.type])).toEqual([
      ['', 'sentence_transformers.models.Transformer'],
      ['1_Pooling', 'sentence_transformers.models.Pooling'],
      ['2_Dense', 'sentence_transformers.models.Dense'],
      ['3_Normalize', 'sentence_transformers.models.Normalize'],
    ]);
    expect(jsonOf(files, '2_Dense/config.json')).toEqual({ in_features: 8, out_features: 3, bias: true, activation_function: 'torch.nn.modules.linear.Identity' });
    const st = readSafetensors(byPath(files).get('2_Dense/model.safetensors') as Uint8Array);
    expect(st.tensors.map((t) => [t.name, t.shape, Array.from(t.data).slice(0, 3)])).toEqual([['linear.weight', [3, 8], [0, 1, 2]], ['linear.bias', [3], [1, 2, 3]]]);
    expect(() => huggingFaceFolder(model('bert', 'bi-encoder', { dense: { weight: { shape: [3, 4], data: new Float32Array(12) }, bias: null } }), SUMMARY)).toThrow('the Dense weight has shape [3, 4], expected [out, 8]');
  });

  it('says in README.md how the model was trained: teachers, loss, steps, learning rate and the evaluation rows', () => {
    const card = textOf(huggingFaceFolder(model('bert', 'bi-encoder'), SUMMARY), 'README.md');
    expect(card).toContain('library_name: sentence-transformers');
    expect(card).toContain('`bert_cat_ensemble_msmarcopassage_train_scores_ids.tsv`, `odd\\|name.tsv`');
    expect(card).toContain('| loss | Margin-MSE |');
    expect(card).toContain('| steps | 1200 |');
    expect(card).toContain('| learning rate | 0.000007 |');
    expect(card).toContain('| started from | bert-tiny |');
    expect(card).toContain('| system | MRR@10 | nDCG@10 |');
    expect(card).toContain('| student | 0.3123 | 0.4000 |');
    expect(card).toContain('| BM25 | 0.1870 | – |');
    expect(card).toContain('mean pooling');
    expect(textOf(huggingFaceFolder(model('bert', 'cross-encoder'), { ...SUMMARY, evaluation: [] }), 'README.md')).toContain('No evaluation was run.');
  });

  it('refuses a model whose weights do not match its sizes, or that has weights its class does not', () => {
    const missing = model('bert', 'cross-encoder');
    (missing.weights as Map<string, HfWeight>).delete('classifier.bias');
    expect(() => huggingFaceFolder(missing, SUMMARY)).toThrow('cannot export: weight classifier.bias is missing (a BertForSequenceClassification needs it, shape [1])');
    const bad = model('bert', 'bi-encoder');
    (bad.weights as Map<string, HfWeight>).set('encoder.layer.0.output.dense.weight', { shape: [16, 8], data: new Float32Array(128) });
    expect(() => huggingFaceFolder(bad, SUMMARY)).toThrow('cannot export: weight encoder.layer.0.output.dense.weight has shape [16, 8], config.json implies [8, 16]');
    const extra = model('bert', 'bi-encoder');
    (extra.weights as Map<string, HfWeight>).set('classifier.weight', { shape: [1, 8], data: new Float32Array(8) });
    expect(() => huggingFaceFolder(extra, SUMMARY)).toThrow('cannot export: classifier.weight is not part of a BertModel');
    expect(() => huggingFaceFolder(model('bert', 'bi-encoder', { vocab: VOCAB.slice(0, 5) }), SUMMARY)).toThrow('the vocabulary has 5 tokens, the model 6 embeddings');
    // A bi-encoder works without BERT's pooler, so it may be left out.
    const noPooler = model('bert', 'bi-encoder');
    (noPooler.weights as Map<string, HfWeight>).delete('pooler.dense.weight');
    (noPooler.weights as Map<string, HfWeight>).delete('pooler.dense.bias');
    expect(readSafetensors(byPath(huggingFaceFolder(noPooler, SUMMARY)).get('model.safetensors') as Uint8Array).tensors.some((t) => t.name.startsWith('pooler'))).toBe(false);
  });
});

describe('zipFolder', () => {
  const files = huggingFaceFolder(model('bert', 'bi-encoder', { dense: { weight: { shape: [2, 8], data: new Float32Array(16).fill(0.25) }, bias: null } }), SUMMARY);

  it('holds every file byte for byte, under a root folder when one is given', () => {
    const unzipped = unzipSync(zipFolder(files, 'my-ranker'));
    expect(Object.keys(unzipped).sort()).toEqual(files.map((f) => `my-ranker/${f.path}`).sort());
    for (const f of files) expect(Buffer.from(unzipped[`my-ranker/${f.path}`] as Uint8Array).equals(Buffer.from(f.bytes)), f.path).toBe(true);
    expect(Object.keys(unzipSync(zipFolder(files)))).toContain('2_Dense/model.safetensors');
  });

  it('is the same bytes for the same files and time', () => {
    const t = new Date('2025-01-02T03:04:06Z');
    expect(Buffer.from(zipFolder(files, '', t)).equals(Buffer.from(zipFolder(files, '', t)))).toBe(true);
  });

  it('refuses paths that leave the folder, and a path used twice', () => {
    expect(() => zipFolder([{ path: '../x', bytes: new Uint8Array(1) }])).toThrow('cannot zip "../x": not a relative path inside the folder');
    expect(() => zipFolder([{ path: '/etc/x', bytes: new Uint8Array(1) }])).toThrow('not a relative path');
    expect(() => zipFolder([files[0] as HfFile, files[0] as HfFile])).toThrow('cannot zip: config.json appears twice');
  });
});
