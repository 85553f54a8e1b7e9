import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parameterCount, writeModelFolder, type FolderShape } from './model-folders';

const SHAPE: FolderShape = { type: 'bert', layers: 1, hidden: 8, heads: 2, ffn: 16, vocabSize: 110, maxPositions: 32 };

/** config.json and the safetensors header (tensor name → shape) of a written folder. */
function read(dir: string): { config: Record<string, unknown>; tensors: Record<string, number[]> } {
  const file = readFileSync(join(dir, 'model.safetensors'));
  const header = JSON.parse(file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape: number[] }>;
  return { config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>, tensors: Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v.shape])) };
}

describe('writeModelFolder', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'folder-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes a bi-encoder by default: BertModel, base names without a prefix, no classifier', () => {
    const dir = fresh();
    writeModelFolder(dir, SHAPE, 'F32');
    const { config, tensors } = read(dir);
    expect(config.architectures).toEqual(['BertModel']);
    expect(config.id2label).toBeUndefined();
    expect(tensors['embeddings.word_embeddings.weight']).toEqual([110, 8]);
    expect(Object.keys(tensors).some((n) => n.startsWith('classifier') || n.startsWith('bert.'))).toBe(false);
  });

  it('writes a cross-encoder as transformers saves BertForSequenceClassification with one label', () => {
    const dir = fresh();
    // 1 layer at hidden 8, ffn 16, 110 words, 32 positions: embeddings 110·8 + 32·8 + 2·8 + 2·8 = 1,168; the layer
    // 4·(8·8 + 8) + 2·8 + (16·8 + 16) + (8·16 + 8) + 2·8 = 600; pooler 8·8 + 8 = 72; classifier 8 + 1 = 9.
    expect(parameterCount(SHAPE, 'cross-encoder')).toBe(1168 + 600 + 72 + 9);
    const bytes = writeModelFolder(dir, SHAPE, 'F32', { kind: 'cross-encoder', trainedNorms: true });
    const { config, tensors } = read(dir);
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'LABEL_0' });
    expect(tensors['bert.embeddings.word_embeddings.weight']).toEqual([110, 8]);
    expect(tensors['bert.pooler.dense.weight']).toEqual([8, 8]);
    expect(tensors['classifier.weight']).toEqual([1, 8]);
    expect(tensors['classifier.bias']).toEqual([1]);
    expect(tensors['embeddings.word_embeddings.weight']).toBeUndefined();
    expect(bytes).toBe(readFileSync(join(dir, 'model.safetensors')).length);
  });
});
