/**
 * A protobuf writer for the part of `onnx.proto` the web export writes: a model, its graph, nodes, attributes,
 * tensors (weights as `raw_data`), value infos with dynamic dims, opset imports. Field numbers are those of the
 * official onnx.proto (ModelProto, GraphProto, NodeProto, ...).
 *
 * Why our own and not protobufjs / onnx-proto: the export runs in the training worker, and these few hundred lines
 * replace a generic runtime (and its generated schema) in that bundle; what a user gets is the bytes, so the bytes
 * are what the tests check, field by field against hand-computed encodings.
 *
 * Only writing: nothing here parses. Fields are written in field-number order where it does not matter to readers.
 */

/** TensorProto.DataType values the export uses. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** Protobuf wire types: 0 varint, 2 length-delimited, 5 fixed 32-bit. */
const VARINT = 0;
const LENGTH = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/**
 * The protobuf primitives over a list of byte chunks. Large payloads (weights) are kept by reference and nested
 * messages are appended as their chunks, so a model's weights are copied once, into the final file: a writer that
 * copied at each level (tensor → graph → model) would need several times a large model's size at once.
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  /** Bytes in `parts`. */
  private size = 0;
  /** Small writes (tags, varints, short strings) gather here before becoming a chunk. */
  private scratch = new Uint8Array(64);
  private used = 0;

  private flush(): void {
    if (this.used === 0) return;
    this.parts.push(this.scratch.slice(0, this.used));
    this.size += this.used;
    this.used = 0;
  }

  private room(n: number): void {
    if (this.used + n <= this.scratch.length) return;
    this.flush();
    if (n > this.scratch.length) this.scratch = new Uint8Array(n);
  }

  /**
   * Base-128 varint, low group first. Negative numbers are written as their 64-bit two's complement (ten bytes),
   * as protobuf does for int64 / int32 fields; BigInt keeps values beyond 2⁵³ exact.
   */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.room(10);
    while (v >= 0x80n) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.used++] = Number(v);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  /** Appends bytes; long ones by reference (the caller must not change them before `finish`). */
  raw(bytes: Uint8Array): this {
    if (bytes.length <= 64) {
      this.room(bytes.length);
      this.scratch.set(bytes, this.used);
      this.used += bytes.length;
      return this;
    }
    this.flush();
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  /** Field `field` = integer (int32, int64 and enums share this encoding). */
  int(field: number, value: number | bigint): this {
    return this.tag(field, VARINT).varint(value);
  }

  /** Field `field` = bytes: tag, length, the bytes. */
  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, LENGTH).varint(value.length).raw(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** An embedded message: a length-delimited field holding another writer's bytes. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    inner.flush();
    this.tag(field, LENGTH).varint(inner.size);
    this.flush();
    this.parts.push(...inner.parts);
    this.size += inner.size;
    return this;
  }

  /** A float field: fixed 32-bit, little-endian IEEE 754. */
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.tag(field, FIXED32).raw(bytes);
  }

  /** A packed repeated integer field: one length-delimited field holding the varints back to back. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** The bytes as one array (the one copy of the chunks). */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** One dimension: a fixed size, or a named symbol (`batch_size`) that is free at run time. */
export type Dim = number | string;

export interface TensorInit {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  /** The values, little-endian, as `raw_data`. */
  raw: Uint8Array;
}

export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  dims: readonly Dim[];
}

export type AttributeValue = { float: number } | { int: number } | { ints: readonly number[] } | { string: string } | { tensor: TensorInit };

export interface NodeInit {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphInit {
  name: string;
  nodes: readonly NodeInit[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelInit {
  /** ONNX IR version; 8 goes with opset 17. */
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: GraphInit;
  /** ModelProto.metadata_props: free key/value strings. */
  metadata?: Readonly<Record<string, string>>;
}

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, INTS: 7 } as const;

export function writeTensor(w: ProtoWriter, t: TensorInit): void {
  // TensorProto: dims 1 (packed int64), data_type 2, name 8, raw_data 9.
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

function writeAttribute(w: ProtoWriter, name: string, a: AttributeValue): void {
  // AttributeProto: name 1, f 2, i 3, s 4, t 5, ints 8, type 20.
  w.string(1, name);
  if ('float' in a) w.float(2, a.float).int(20, AttributeType.FLOAT);
  else if ('int' in a) w.int(3, a.int).int(20, AttributeType.INT);
  else if ('string' in a) w.string(4, a.string).int(20, AttributeType.STRING);
  else if ('tensor' in a) w.message(5, (t) => writeTensor(t, a.tensor)).int(20, AttributeType.TENSOR);
  else w.packedInts(8, a.ints).int(20, AttributeType.INTS);
}

export function writeNode(w: ProtoWriter, n: NodeInit): void {
  // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
  if (n.domain) w.string(7, n.domain);
}

export function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  // ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → Tensor: elem_type 1, shape 2 → TensorShapeProto:
  // dim 1 → Dimension: dim_value 1 | dim_param 2.
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType).message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: GraphInit): void {
  // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** The whole `.onnx` file. */
export function writeModel(m: ModelInit): Uint8Array {
  // ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8, metadata_props 14
  // (StringStringEntryProto: key 1, value 2). OperatorSetIdProto: domain 1, version 2.
  const w = new ProtoWriter();
  w.int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  w.message(7, (g) => writeGraph(g, m.graph));
  for (const o of m.opsets) w.message(8, (s) => s.string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
