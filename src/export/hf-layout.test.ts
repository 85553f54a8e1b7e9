import { describe, expect, it } from 'vitest';
import { canonicalTensorName, fileTensorName, weightSpecs, type HfDims } from './hf-layout';

const DIMS: HfDims = { layers: 3, hidden: 16, heads: 4, ffn: 40, vocabSize: 100, maxPositions: 64, typeVocabSize: 2, layerNormEps: 1e-12 };
const count = (specs: { shape: number[] }[]) => specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);

describe('the Hugging Face weight layout', () => {
  it('counts the parameters BertModel and DistilBertModel have, worked out from their modules', () => {
    // Embeddings: (100 + 64 + 2) x 16 + LayerNorm 32. A layer: 4 x (16x16 + 16) + 2 x 32 + (40x16 + 40) + (16x40 + 16) = 1088 + 64 + 680 + 656 = 2488.
    // Pooler: 16x16 + 16 = 272.
    expect(count(weightSpecs('bert', 'bi-encoder', DIMS))).toBe(166 * 16 + 32 + 3 * 2488 + 272);
    // DistilBERT: no token types, no pooler; the cross-encoder adds pre_classifier (272) and classifier (17).
    expect(count(weightSpecs('distilbert', 'bi-encoder', DIMS))).toBe(164 * 16 + 32 + 3 * 2488);
    expect(count(weightSpecs('distilbert', 'cross-encoder', DIMS))).toBe(164 * 16 + 32 + 3 * 2488 + 272 + 17);
    expect(count(weightSpecs('bert', 'cross-encoder', DIMS))).toBe(166 * 16 + 32 + 3 * 2488 + 272 + 17);
  });

  it('makes the pooler optional only where nothing reads it', () => {
    const optional = (kind: 'bi-encoder' | 'cross-encoder') => weightSpecs('bert', kind, DIMS).filter((s) => s.optional).map((s) => s.name);
    expect(optional('bi-encoder')).toEqual(['pooler.dense.weight', 'pooler.dense.bias']);
    expect(optional('cross-encoder')).toEqual([]);
  });

  it('prefixes base names in a cross-encoder file and reads them back, with old gamma / beta names', () => {
    expect(fileTensorName('bert', 'cross-encoder', 'encoder.layer.0.output.dense.weight')).toBe('bert.encoder.layer.0.output.dense.weight');
    expect(fileTensorName('distilbert', 'cross-encoder', 'pre_classifier.bias')).toBe('pre_classifier.bias');
    expect(fileTensorName('bert', 'bi-encoder', 'pooler.dense.bias')).toBe('pooler.dense.bias');
    expect(canonicalTensorName('distilbert', 'distilbert.transformer.layer.1.sa_layer_norm.weight')).toBe('transformer.layer.1.sa_layer_norm.weight');
    expect(canonicalTensorName('bert', 'bert.embeddings.LayerNorm.gamma')).toBe('embeddings.LayerNorm.weight');
    expect(canonicalTensorName('bert', 'encoder.layer.0.output.LayerNorm.beta')).toBe('encoder.layer.0.output.LayerNorm.bias');
  });
});
