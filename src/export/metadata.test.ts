import { describe, expect, it } from 'vitest';
import { studentMetadata, WEIGHTS_FORMAT } from './metadata';
import { readSafetensorsWeights } from './read-weights';
import { writeSafetensors } from './safetensors';

describe('student metadata', () => {
  const meta = studentMetadata({ arch: 'tk', dimensions: { hidden: 8 }, tokenizer: 'hash-v1', vocabulary: 'ab12', parameters: 1234, steps: 7, run: { arch: 'tk', seed: 3 } });

  it('writes every field as a string, objects as JSON', () => {
    expect(meta).toEqual({ format: WEIGHTS_FORMAT, arch: 'tk', dimensions: '{"hidden":8}', tokenizer: 'hash-v1', vocabulary: 'ab12', parameters: '1234', steps: '7', run: '{"arch":"tk","seed":3}' });
  });

  it('is what the weights reader accepts', () => {
    const back = readSafetensorsWeights(writeSafetensors([{ name: 'w', dtype: 'F32', shape: [1], data: Float32Array.of(2) }], meta), 'x.safetensors');
    expect(back.metadata).toEqual(meta);
  });
});
