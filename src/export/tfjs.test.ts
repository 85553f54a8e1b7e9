import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { writeTfjs, WEIGHTS_FILE } from './tfjs';

describe('tfjs weights export', () => {
  it('is read back by tfjs itself with every name, shape and value', async () => {
    await tf.setBackend('cpu');
    const tensors = [
      { name: 'encoder/tok_emb', dtype: 'F32' as const, shape: [2, 2], data: Float32Array.of(1.5, -2, 3e-7, 0) },
      { name: 'ids', dtype: 'I32' as const, shape: [3], data: Int32Array.of(7, -8, 9) },
    ];
    const { modelJson, weights } = writeTfjs(tensors, { arch: 'tk' });
    const model = JSON.parse(modelJson) as { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; userDefinedMetadata: Record<string, string> };
    expect(model.weightsManifest[0]?.paths).toEqual([WEIGHTS_FILE]);
    expect(model.userDefinedMetadata).toEqual({ arch: 'tk' });
    const decoded = tf.io.decodeWeights(weights.buffer as ArrayBuffer, model.weightsManifest[0]!.weights);
    expect(Object.keys(decoded)).toEqual(['encoder/tok_emb', 'ids']);
    expect(decoded['encoder/tok_emb']!.shape).toEqual([2, 2]);
    expect(Array.from(await decoded['encoder/tok_emb']!.data())).toEqual(Array.from(tensors[0]!.data));
    expect(decoded.ids!.dtype).toBe('int32');
    expect(Array.from(await decoded.ids!.data())).toEqual([7, -8, 9]);
  });
});
