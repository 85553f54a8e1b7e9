import { describe, expect, it } from 'vitest';
import { readSafetensorsWeights, readTfjsWeights } from './read-weights';
import { WEIGHTS_FORMAT } from './metadata';
import { writeSafetensors, type NamedTensor } from './safetensors';
import { writeTfjs } from './tfjs';

const tensors: NamedTensor[] = [
  { name: 'encoder/tok_emb', dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
  { name: 'head/b', dtype: 'F32', shape: [1], data: Float32Array.of(-0.5) },
];
const metadata = { format: WEIGHTS_FORMAT, arch: 'cat', run: '{"arch":"cat"}', tokenizer: 'hash-words-v1:8192' };

describe('reading exported weights', () => {
  it('reads back both export formats to the same tensors and metadata', () => {
    const a = readSafetensorsWeights(writeSafetensors(tensors, metadata), 's.safetensors');
    const { modelJson, weights } = writeTfjs(tensors, metadata);
    const b = readTfjsWeights(modelJson, weights);
    for (const r of [a, b]) {
      expect(r.metadata).toEqual(metadata);
      expect(r.tensors.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual(tensors.map((t) => [t.name, t.shape, Array.from(t.data)]));
    }
  });

  it('refuses files that are not Margin Studio students', () => {
    expect(() => readSafetensorsWeights(writeSafetensors(tensors, { format: 'other' }), 'x.safetensors')).toThrow('x.safetensors: not a Margin Studio student (metadata format is "other", expected margin-studio-student-v1)');
    expect(() => readSafetensorsWeights(writeSafetensors(tensors, { ...metadata, run: '' }), 'x.safetensors')).toThrow('x.safetensors: the metadata has no run');
    expect(() => readTfjsWeights('{nope', new Uint8Array(0))).toThrow(/^model\.json: not JSON/);
  });

  it('refuses a weights.bin that is shorter or longer than model.json says', () => {
    const { modelJson, weights } = writeTfjs(tensors, metadata);
    expect(() => readTfjsWeights(modelJson, weights.subarray(0, 18))).toThrow('weights.bin: 18 bytes, too short for the weights model.json lists (head/b ends past the end)');
    const longer = new Uint8Array(weights.length + 4);
    longer.set(weights);
    expect(() => readTfjsWeights(modelJson, longer)).toThrow('weights.bin: 4 bytes more than the weights model.json lists');
  });
});
