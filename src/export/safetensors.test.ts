import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** A file assembled byte by byte, for inputs the writer would never produce. */
function handBuilt(header: string, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('safetensors', () => {
  const tensors: NamedTensor[] = [
    { name: 'encoder/tok_emb', dtype: 'F32', shape: [2, 3], data: Float32Array.of(0.5, -1.25, 3e-8, 7, -0, 1e30) },
    { name: 'head/b', dtype: 'F32', shape: [1], data: Float32Array.of(-2.5) },
    { name: 'ids', dtype: 'I32', shape: [3], data: Int32Array.of(-1, 0, 2147483647) },
    { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  ];

  it('writes the documented layout: header length, JSON header padded to 8 bytes, little-endian data', () => {
    const bytes = writeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) }], { arch: 'dot' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe('{"__metadata__":{"arch":"dot"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  });

  it('round-trips names, dtypes, shapes, values and metadata exactly', () => {
    const metadata = { arch: 'colbert', dims: '{"hidden":16}', tokenizer: 'wordpiece-v1:bert-base-uncased' };
    const back = readSafetensors(writeSafetensors(tensors, metadata));
    expect(back.metadata).toEqual(metadata);
    expect(back.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(tensors.map((t) => [t.name, t.dtype, t.shape]));
    back.tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from((tensors[i] as NamedTensor).data)));
    expect(Object.is(back.tensors[0]?.data[4], -0)).toBe(true);
  });

  it('refuses a header that is not JSON', () => {
    expect(() => readSafetensors(handBuilt('{"w": {"dtype": "F32",'), 'w.safetensors')).toThrow(/^w\.safetensors: the header is not valid JSON/);
    expect(() => readSafetensors(handBuilt('[1,2]'), 'w.safetensors')).toThrow('w.safetensors: the header is not a JSON object');
  });

  it('refuses an oversized or overrunning header length before reading it', () => {
    expect(() => readSafetensors(handBuilt('{}', new Uint8Array(0), BigInt(MAX_HEADER_BYTES) + 1n), 'big.safetensors')).toThrow(`big.safetensors: the header length ${MAX_HEADER_BYTES + 1} is over the ${MAX_HEADER_BYTES}-byte limit`);
    expect(() => readSafetensors(handBuilt('{}', new Uint8Array(0), 2n ** 63n))).toThrow(/over the .*-byte limit/);
    expect(() => readSafetensors(handBuilt('{}', new Uint8Array(0), 4096n), 'cut.safetensors')).toThrow('cut.safetensors: the header length 4096 runs past the end of the file (10 bytes)');
    expect(() => readSafetensors(new Uint8Array(5), 'tiny')).toThrow('tiny: 5 bytes is too short');
  });

  it('refuses a shape that does not match its bytes, unsupported dtypes, and bytes outside or between tensors', () => {
    const bad = (header: object, data: Uint8Array) => () => readSafetensors(handBuilt(JSON.stringify(header), data), 'm.safetensors');
    expect(bad({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, f32(1, 2))).toThrow('m.safetensors: tensor w: shape [2, 2] of F32 needs 16 bytes, data_offsets give 8');
    expect(bad({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, f32(1, 2))).toThrow('tensor w: dtype "F64" is not supported');
    expect(bad({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1, 2))).toThrow('tensor w: data_offsets [0, 16] fall outside the 8 data bytes');
    expect(bad({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2))).toThrow('4 bytes before tensor w belong to no tensor');
    expect(bad({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2))).toThrow('4 bytes after the last tensor belong to no tensor');
    expect(bad({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2))).toThrow("tensor b: its bytes overlap another tensor's");
    expect(bad({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1))).toThrow('tensor w: shape [-1] is not a list of sizes');
    expect(bad({ __metadata__: { n: 3 } }, new Uint8Array(0))).toThrow('__metadata__.n is not a string');
  });

  it('refuses to write data that does not fill its shape, or a name used twice', () => {
    expect(() => writeSafetensors([{ name: 'w', dtype: 'F32', shape: [3], data: Float32Array.of(1) }])).toThrow('w: shape [3] holds 3 values, the data has 1');
    expect(() => writeSafetensors([tensors[1] as NamedTensor, tensors[1] as NamedTensor])).toThrow('tensor name "head/b" is reserved or used twice');
  });
});
