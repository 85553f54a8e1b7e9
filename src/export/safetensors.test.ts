import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat, MAX_HEADER_BYTES, readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

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

  it('reads binary16 bits as the values worked out by hand from sign, exponent and fraction', () => {
    // 0x3c00: exponent 15 (bias 15), fraction 0 -> 1. 0xc000: sign, exponent 16 -> -2. 0x3e00: fraction 512/1024 -> 1.5.
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3e00)).toBe(1.5);
    // 0x3555: exponent 13, fraction 0x155 = 341 -> (1 + 341/1024) / 4 = 0.333251953125.
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
    // 0x7bff: exponent 30, fraction 1023 -> (2 - 2^-10) * 2^15 = 65504, the largest half.
    expect(halfToFloat(0x7bff)).toBe(65504);
    // Subnormals: 0x0001 = 2^-24, 0x03ff = 1023 * 2^-24; 0x0400 is the smallest normal, 2^-14.
    expect(halfToFloat(0x0001)).toBe(5.960464477539063e-8);
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToFloat(0x0400)).toBe(6.103515625e-5);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('rounds float32 to binary16 to nearest with ties to even, overflowing to infinity', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(1 / 3)).toBe(0x3555);
    // 1 + 2^-11 lies halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): the even one wins.
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 lies halfway between 0x3c01 and 0x3c02: the even one, 0x3c02.
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(65519)).toBe(0x7bff);
    // 65520 is halfway between 65504 and 65536 (which is past the largest half): ties to even carries into infinity.
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(-1e6)).toBe(0xfc00);
    expect(floatToHalf(3 * 2 ** -25)).toBe(0x0002); // 1.5 units of 2^-24 rounds to 2 (even)
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // half a unit: ties to even, 0
    expect(floatToHalf(2 ** -25 * 1.0001)).toBe(0x0001);
    expect(floatToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up out of the subnormals
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(NaN) & 0x7e00).toBe(0x7e00);
    for (let bits = 0; bits < 0x7c00; bits += 37) expect(floatToHalf(halfToFloat(bits))).toBe(bits);
  });

  it('converts bfloat16 (the top 16 bits of a float32) both ways, rounding ties to even', () => {
    expect(bfloat16ToFloat(0x3f80)).toBe(1);
    expect(bfloat16ToFloat(0xc040)).toBe(-3);
    // 0x4049: exponent 128, fraction 0x49 = 73 of 128 -> 2 * (1 + 73/128) = 3.140625.
    expect(bfloat16ToFloat(0x4049)).toBe(3.140625);
    expect(bfloat16ToFloat(0x7f80)).toBe(Infinity);
    expect(floatToBfloat16(Math.fround(Math.PI))).toBe(0x4049);
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBfloat16(-3)).toBe(0xc040);
    expect(bfloat16ToFloat(floatToBfloat16(NaN))).toBeNaN();
  });

  it('writes F16 and BF16 tensors in two bytes a value and reads them back as F32 that remembers its storage', () => {
    const values = Float32Array.of(1, -2, 1 / 3, 65504, 1e-6);
    const bytes = writeSafetensors([
      { name: 'h', dtype: 'F32', shape: [5], data: values, stored: 'F16' },
      { name: 'b', dtype: 'F32', shape: [5], data: values, stored: 'BF16' },
    ]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: number[] }>;
    expect(header.h).toMatchObject({ dtype: 'F16', data_offsets: [0, 10] });
    expect(header.b).toMatchObject({ dtype: 'BF16', data_offsets: [10, 20] });
    // 1 as F16 is 0x3c00, little-endian 00 3c; as BF16 0x3f80 -> 80 3f.
    expect(Array.from(bytes.subarray(8 + n, 8 + n + 2))).toEqual([0x00, 0x3c]);
    expect(Array.from(bytes.subarray(8 + n + 10, 8 + n + 12))).toEqual([0x80, 0x3f]);
    const back = readSafetensors(bytes);
    expect(back.tensors.map((t) => [t.name, t.dtype, t.stored])).toEqual([['h', 'F32', 'F16'], ['b', 'F32', 'BF16']]);
    expect(Array.from(back.tensors[0]!.data)).toEqual([1, -2, 0.333251953125, 65504, halfToFloat(floatToHalf(1e-6))]);
    expect(Array.from(back.tensors[1]!.data)).toEqual(Array.from(values, (v) => bfloat16ToFloat(floatToBfloat16(v))));
    expect(() => writeSafetensors([{ name: 'i', dtype: 'I32', shape: [1], data: Int32Array.of(1), stored: 'F16' }])).toThrow('i: only F32 tensors can be stored as F16');
  });

  it('skips tensors of unsupported dtypes only when asked, still checking where their bytes lie', () => {
    const header = { position_ids: { dtype: 'I64', shape: [1, 2], data_offsets: [0, 16] }, w: { dtype: 'F32', shape: [1], data_offsets: [16, 20] } };
    const bytes = handBuilt(JSON.stringify(header), new Uint8Array([...new Uint8Array(16), ...f32(2.5)]));
    expect(() => readSafetensors(bytes, 'm.safetensors')).toThrow('m.safetensors: tensor position_ids: dtype "I64" is not supported');
    const read = readSafetensors(bytes, 'm.safetensors', { skipUnsupported: true });
    expect(read.skipped).toEqual([{ name: 'position_ids', dtype: 'I64', shape: [1, 2] }]);
    expect(read.tensors.map((t) => [t.name, Array.from(t.data)])).toEqual([['w', [2.5]]]);
    const outside = { position_ids: { dtype: 'I64', shape: [1, 2], data_offsets: [0, 32] } };
    expect(() => readSafetensors(handBuilt(JSON.stringify(outside), new Uint8Array(16)), 'm', { skipUnsupported: true })).toThrow('tensor position_ids: data_offsets [0, 32] fall outside the 16 data bytes');
    expect(() => readSafetensors(handBuilt(JSON.stringify({ x: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }), f32(1)), 'm')).toThrow('dtype "toString" is not supported');
  });
});
