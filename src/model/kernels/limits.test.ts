import { describe, expect, it } from 'vitest';
import { BYTES_PER_ELEMENT, checkBindings, elementCount, oversizedBindings } from './limits';

/** WebGPU's guaranteed maxStorageBufferBindingSize: 128 MiB = 134,217,728 bytes. */
const DEFAULT_LIMIT = 128 * 1024 * 1024;

const tensor = (name: string, shape: number[]) => ({ name, bytes: elementCount(shape) * BYTES_PER_ELEMENT });

describe('storage binding limits at DistilBERT width', () => {
  it('counts a tensor\'s bytes from its shape', () => {
    // 64 passages × 200 tokens × 3072 FFN units × 4 B = 157,286,400 B.
    expect(tensor('ffn', [64 * 200, 3072]).bytes).toBe(157_286_400);
    expect(elementCount([])).toBe(1);
  });

  it('passes the attention scores of a batch of 32 at 232 tokens (82.7 MB, under 128 MiB)', () => {
    // 32 × 12 heads × 232 × 232 × 4 B = 82,673,664 B.
    const scores = tensor('scores', [32, 12, 232, 232]);
    expect(scores.bytes).toBe(82_673_664);
    expect(() => checkBindings('attention_softmax', [scores, tensor('mask', [32, 232])], DEFAULT_LIMIT)).not.toThrow();
  });

  it('refuses the FFN activation of 64 passages × 200 tokens, naming the buffer, its size and the limit', () => {
    const bindings = [tensor('input x [12800, 3072]', [12800, 3072]), tensor('output [12800, 3072]', [12800, 3072]), tensor('small', [3072])];
    expect(oversizedBindings(bindings, DEFAULT_LIMIT).map((b) => b.name)).toEqual(['input x [12800, 3072]', 'output [12800, 3072]']);
    expect(() => checkBindings('gelu', bindings, DEFAULT_LIMIT)).toThrow('gelu: input x [12800, 3072] of 150.0 MiB, output [12800, 3072] of 150.0 MiB over this GPU\'s storage binding limit of 128.0 MiB');
    expect(() => checkBindings('gelu', bindings, DEFAULT_LIMIT)).toThrow('a smaller micro-batch');
  });

  it('takes a buffer of exactly the limit, and refuses one byte more', () => {
    expect(() => checkBindings('p', [{ name: 'x', bytes: DEFAULT_LIMIT }], DEFAULT_LIMIT)).not.toThrow();
    expect(() => checkBindings('p', [{ name: 'x', bytes: DEFAULT_LIMIT + 1 }], DEFAULT_LIMIT)).toThrow('p: x of 128.0 MiB');
  });

  it('lists the largest oversized buffer first', () => {
    const over = oversizedBindings([{ name: 'a', bytes: 11 }, { name: 'b', bytes: 30 }, { name: 'c', bytes: 5 }], 10);
    expect(over.map((b) => b.name)).toEqual(['b', 'a']);
  });

  it('refuses a missing limit rather than passing everything', () => {
    expect(() => checkBindings('p', [{ name: 'x', bytes: 4 }], Number.NaN)).toThrow('reports no storage binding limit');
  });
});
