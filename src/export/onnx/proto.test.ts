/**
 * The protobuf wire format against bytes computed by hand from the encoding rules: a tag is (field << 3) | wire
 * type as a varint; varints carry 7 bits a byte, low group first, the top bit set on all but the last byte.
 */
import { describe, expect, it } from 'vitest';
import { DataType, ProtoWriter, writeModel, writeNode, writeTensor, writeValueInfo } from './proto';

const bytes = (w: ProtoWriter) => Array.from(w.finish());
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('ProtoWriter', () => {
  it('writes varints low group first', () => {
    expect(bytes(new ProtoWriter().varint(0))).toEqual([0x00]);
    expect(bytes(new ProtoWriter().varint(1))).toEqual([0x01]);
    expect(bytes(new ProtoWriter().varint(127))).toEqual([0x7f]);
    // 128 = 1·2⁷ + 0 → [0x80 | 0, 1]
    expect(bytes(new ProtoWriter().varint(128))).toEqual([0x80, 0x01]);
    // 300 = 0b10_0101100 → [0x80 | 0x2c, 0x02]
    expect(bytes(new ProtoWriter().varint(300))).toEqual([0xac, 0x02]);
    // 2³² = 4 groups of zero bits then 0b10000 → four 0x80 bytes and 0x10
    expect(bytes(new ProtoWriter().varint(2 ** 32))).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
  });

  it('writes a negative int64 as ten bytes of two\'s complement', () => {
    // −1 = 2⁶⁴ − 1: nine groups of seven 1-bits, then the 64th bit alone.
    expect(bytes(new ProtoWriter().varint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // −2 = 2⁶⁴ − 2: the low group is 0b1111110.
    expect(bytes(new ProtoWriter().varint(-2))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('writes tags, integer, string, float and nested message fields', () => {
    // field 1 varint: tag 0x08; field 20 varint: tag 20·8 = 160 → [0xa0, 0x01]
    expect(bytes(new ProtoWriter().int(1, 8))).toEqual([0x08, 0x08]);
    expect(bytes(new ProtoWriter().int(20, 2))).toEqual([0xa0, 0x01, 0x02]);
    // field 4 length-delimited: tag 4·8 + 2 = 0x22, length 3
    expect(bytes(new ProtoWriter().string(4, 'Add'))).toEqual([0x22, 0x03, ...ascii('Add')]);
    // field 2 fixed32: tag 0x15; 1.0f = 0x3f800000 little-endian
    expect(bytes(new ProtoWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    // field 7 holding (field 1 = 5): tag 0x3a, length 2, [0x08, 0x05]
    expect(bytes(new ProtoWriter().message(7, (m) => m.int(1, 5)))).toEqual([0x3a, 0x02, 0x08, 0x05]);
  });

  it('packs repeated integers into one length-delimited field', () => {
    // dims [2, 300] in field 1: tag 0x0a, length 3, then 0x02 and 300's [0xac, 0x02]
    expect(bytes(new ProtoWriter().packedInts(1, [2, 300]))).toEqual([0x0a, 0x03, 0x02, 0xac, 0x02]);
    // ints [0, 2, 1, 3] (a Transpose perm) in field 8: tag 0x42
    expect(bytes(new ProtoWriter().packedInts(8, [0, 2, 1, 3]))).toEqual([0x42, 0x04, 0x00, 0x02, 0x01, 0x03]);
  });

  it('grows past its first buffer', () => {
    const big = new Uint8Array(1000).map((_, i) => i % 251);
    const out = new ProtoWriter().bytes(9, big).finish();
    // tag 0x4a, length 1000 = [0xe8, 0x07]
    expect(Array.from(out.subarray(0, 3))).toEqual([0x4a, 0xe8, 0x07]);
    expect(Array.from(out.subarray(3))).toEqual(Array.from(big));
  });

  it('nests a message holding a long payload, with small fields either side', () => {
    const big = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
    const out = new ProtoWriter().int(1, 8).message(7, (m) => m.string(2, 'g').bytes(9, big)).int(1, 9).finish();
    // inner: [0x12, 1, 'g'] (3) + [0x4a, 0xe8, 0x07] (3) + 1000 = 1006 = 0b111_1101110 → [0xee, 0x07]
    expect(Array.from(out.subarray(0, 10))).toEqual([0x08, 0x08, 0x3a, 0xee, 0x07, 0x12, 0x01, ...ascii('g'), 0x4a, 0xe8]);
    expect(out[10]).toBe(0x07);
    expect(Array.from(out.subarray(11, 1011))).toEqual(Array.from(big));
    expect(Array.from(out.subarray(1011))).toEqual([0x08, 0x09]);
  });
});

describe('ONNX messages', () => {
  it('a TensorProto: dims, data_type, name, raw_data', () => {
    const w = new ProtoWriter();
    writeTensor(w, { name: 'b', dataType: DataType.FLOAT, dims: [1], raw: new Uint8Array([0, 0, 0x80, 0x3f]) });
    // dims 1 packed [1] · data_type 2 = 1 · name 8 (tag 0x42) "b" · raw_data 9 (tag 0x4a) 4 bytes
    expect(bytes(w)).toEqual([0x0a, 0x01, 0x01, 0x10, 0x01, 0x42, 0x01, ...ascii('b'), 0x4a, 0x04, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('a scalar TensorProto has no dims field', () => {
    const w = new ProtoWriter();
    writeTensor(w, { name: 'z', dataType: DataType.INT8, dims: [], raw: new Uint8Array([0]) });
    expect(bytes(w)).toEqual([0x10, 0x03, 0x42, 0x01, ...ascii('z'), 0x4a, 0x01, 0x00]);
  });

  it('a NodeProto with an int attribute', () => {
    const w = new ProtoWriter();
    writeNode(w, { opType: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: { int: -1 } } });
    // attribute: name 1 "axis" (6 bytes) · i 3 = −1 (tag 0x18 + 10 bytes = 11) · type 20 = INT 2 (3 bytes) → 20 bytes
    const attribute = [0x0a, 0x04, ...ascii('axis'), 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xa0, 0x01, 0x02];
    expect(attribute).toHaveLength(20);
    expect(bytes(w)).toEqual([0x0a, 0x01, ...ascii('x'), 0x12, 0x01, ...ascii('y'), 0x22, 0x07, ...ascii('Softmax'), 0x2a, 20, ...attribute]);
  });

  it('a ValueInfoProto with a named and a fixed dimension', () => {
    const w = new ProtoWriter();
    writeValueInfo(w, { name: 'l', elemType: DataType.FLOAT, dims: ['b', 4] });
    // Dimension "b": dim_param 2 → [0x12, 1, 'b'] inside dim 1 → [0x0a, 3, ...]; Dimension 4: [0x0a, 2, 0x08, 4]
    const shape = [0x0a, 0x03, 0x12, 0x01, ...ascii('b'), 0x0a, 0x02, 0x08, 0x04];
    const tensor = [0x08, 0x01, 0x12, shape.length, ...shape];
    const type = [0x0a, tensor.length, ...tensor];
    expect(bytes(w)).toEqual([0x0a, 0x01, ...ascii('l'), 0x12, type.length, ...type]);
  });

  it('a ModelProto: ir_version, producer, graph, opset_import', () => {
    const out = Array.from(writeModel({ irVersion: 8, opsets: [{ domain: '', version: 17 }], producerName: 'p', producerVersion: '1', graph: { name: 'g', nodes: [], initializers: [], inputs: [], outputs: [] } }));
    // ir_version 1 = 8 · producer_name 2 "p" · producer_version 3 "1" · graph 7 {name 2 "g"} · opset 8 {domain "", version 17}
    expect(out).toEqual([0x08, 0x08, 0x12, 0x01, ...ascii('p'), 0x1a, 0x01, ...ascii('1'), 0x3a, 0x03, 0x12, 0x01, ...ascii('g'), 0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]);
  });
});
