import { describe, expect, it } from 'vitest';
import type { HfWeight } from '../../export/hf-layout';
import { readSentenceBertConfig, readSentenceSettings, type FolderAccess } from './sentence';

/** A folder of JSON files only, as the reader sees it. */
function folder(files: Record<string, unknown>): FolderAccess {
  return { has: (p) => p in files, json: (p) => files[p], tensors: () => new Map<string, HfWeight>() };
}

const modules = (...types: string[]) => types.map((t, i) => ({ idx: i, name: String(i), path: i === 0 ? '' : `${i}_${t}`, type: `sentence_transformers.models.${t}` }));

describe('sentence-transformers settings', () => {
  it('are the defaults ([CLS] pooling, no projection) without modules.json', () => {
    expect(readSentenceSettings(folder({}), () => 32)).toEqual({ transformerPath: '', pooling: 'cls', dense: null, normalize: false, fromSentenceTransformers: false, transformerOnly: false });
  });

  it('read pooling from the flags or from an older single pooling_mode string', () => {
    const flags = folder({ 'modules.json': modules('Transformer', 'Pooling', 'Normalize'), '1_Pooling/config.json': { pooling_mode_cls_token: true } });
    expect(readSentenceSettings(flags, () => 32)).toMatchObject({ pooling: 'cls', normalize: true, fromSentenceTransformers: true });
    const named = folder({ 'modules.json': modules('Transformer', 'Pooling'), '1_Pooling/config.json': { pooling_mode: 'mean' } });
    expect(readSentenceSettings(named, () => 32).pooling).toBe('mean');
  });

  it('refuse pipelines in another order, a missing Pooling config, and a pooled size that is not the hidden size', () => {
    expect(() => readSentenceSettings(folder({ 'modules.json': modules('Pooling', 'Transformer') }), () => 32)).toThrow('modules.json: the first module must be sentence_transformers.models.Transformer, found sentence_transformers.models.Pooling');
    expect(() => readSentenceSettings(folder({ 'modules.json': modules('Transformer', 'Pooling') }), () => 32)).toThrow('1_Pooling/config.json: missing');
    const wide = folder({ 'modules.json': modules('Transformer', 'Pooling'), '1_Pooling/config.json': { pooling_mode_mean_tokens: true, word_embedding_dimension: 64 } });
    expect(() => readSentenceSettings(wide, () => 32)).toThrow('1_Pooling/config.json: word_embedding_dimension 64 is not the model\'s hidden size 32');
    const late = folder({ 'modules.json': modules('Transformer', 'Pooling', 'Normalize', 'Dense'), '1_Pooling/config.json': { pooling_mode_mean_tokens: true } });
    expect(() => readSentenceSettings(late, () => 32)).toThrow('modules.json: module sentence_transformers.models.Dense after Normalize is not supported');
  });

  it('read max_seq_length and refuse one that is not a length', () => {
    expect(readSentenceBertConfig(folder({ 'sentence_bert_config.json': { max_seq_length: 256, do_lower_case: true } }), '')).toEqual({ maxSeqLength: 256, lowercase: true });
    expect(readSentenceBertConfig(folder({}), '')).toEqual({ maxSeqLength: null, lowercase: false });
    expect(() => readSentenceBertConfig(folder({ 'sentence_bert_config.json': { max_seq_length: '256' } }), '')).toThrow('sentence_bert_config.json: max_seq_length must be an integer of at least 2, found "256"');
  });
});
