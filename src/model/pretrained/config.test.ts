import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config';

describe('parseModelConfig', () => {
  it('fills what a BERT config leaves out with the defaults of transformers, as transformers would', () => {
    const c = parseModelConfig({ model_type: 'bert', hidden_size: 128, num_attention_heads: 2, num_hidden_layers: 2, intermediate_size: 512, vocab_size: 30522 });
    expect(c).toEqual({
      type: 'bert',
      kind: 'bi-encoder',
      architecture: 'BertModel',
      dims: { layers: 2, hidden: 128, heads: 2, ffn: 512, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 },
    });
    expect(parseModelConfig({ model_type: 'bert', layer_norm_eps: 1e-7 }).dims.layerNormEps).toBe(1e-7);
  });

  it('gives DistilBERT no token types and the 1e-12 LayerNorm epsilon its modules are built with', () => {
    const c = parseModelConfig({ model_type: 'distilbert', architectures: ['DistilBertForSequenceClassification'], id2label: { 0: 'LABEL_0' } });
    expect(c.kind).toBe('cross-encoder');
    expect(c.dims).toEqual({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocabSize: 30522, maxPositions: 512, typeVocabSize: 0, layerNormEps: 1e-12 });
  });

  it('refuses sizes that are not positive integers and malformed architecture lists, naming the file', () => {
    expect(() => parseModelConfig({ model_type: 'bert', hidden_size: 31.5 }, 'm/config.json')).toThrow('m/config.json: hidden_size must be a positive integer, found 31.5');
    expect(() => parseModelConfig({ model_type: 'bert', num_hidden_layers: 0 })).toThrow('num_hidden_layers must be a positive integer, found 0');
    expect(() => parseModelConfig({ model_type: 'bert', architectures: ['BertModel', 'BertForMaskedLM'] })).toThrow('config.json: architectures must name one class');
    expect(() => parseModelConfig({ model_type: 'bert', layer_norm_eps: -1 })).toThrow('layer_norm_eps must be a positive number, found -1');
    expect(() => parseModelConfig([])).toThrow('config.json: not a JSON object');
    expect(() => parseModelConfig({})).toThrow('config.json: model_type null is not supported (supported: bert, distilbert)');
  });
});
