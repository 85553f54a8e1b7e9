/**
 * The safetensors format, written and read from its description: an 8-byte little-endian header length N, N bytes
 * of JSON (each tensor's dtype, shape and [begin, end) byte offsets into the data that follows, plus an optional
 * `__metadata__` map of strings), then the tensors' bytes, little-endian. The header is padded with spaces to a
 * multiple of 8 bytes so that the data starts aligned.
 *
 * Half-precision tensors (F16, BF16: how many Hugging Face checkpoints are published) are widened to float32 when
 * read and keep their stored dtype in `stored`, so every tensor in memory is F32 or I32 and code that handles
 * those two needs no third case.
 */
import { errorMessage } from '../util/errors';

export type SafetensorsDtype = 'F32' | 'I32';
export type HalfDtype = 'F16' | 'BF16';

export interface NamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
  /** How an F32 tensor is (or was) stored when that is a half-precision dtype; absent means as `dtype`. */
  stored?: HalfDtype;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
  /** With `skipUnsupported`: tensors of other dtypes, left unread (e.g. the I64 `position_ids` buffer). */
  skipped?: { name: string; dtype: string; shape: number[] }[];
}

export interface ReadOptions {
  /** Skip tensors of dtypes this reader cannot hold instead of refusing the file (their bytes are still bounds-checked). */
  skipUnsupported?: boolean;
}

const BYTES: Record<SafetensorsDtype | HalfDtype, number> = { F32: 4, I32: 4, F16: 2, BF16: 2 };

// One scratch word shared by the bit conversions below: a float32 and its bits through the same 4 bytes.
const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits to their value (exact: every half is a float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A float32 value to binary16 bits, rounded to nearest, ties to even; too large becomes infinity. */
export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value);
  const f = scratch.getUint32(0);
  const sign = (f >>> 16) & 0x8000;
  const exponent = (f >>> 23) & 0xff;
  let mantissa = f & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  let bits: number;
  let rest: number;
  let halfway: number;
  if (e <= 0) {
    // Subnormal half: the value in units of 2^-24 is the full 24-bit significand shifted right by 14 - e.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    bits = mantissa >>> shift;
    rest = mantissa & ((1 << shift) - 1);
    halfway = 1 << (shift - 1);
  } else {
    bits = (e << 10) | (mantissa >>> 13);
    rest = mantissa & 0x1fff;
    halfway = 0x1000;
  }
  // A carry out of the fraction moves into the exponent, which is the right result (up to infinity).
  if (rest > halfway || (rest === halfway && bits & 1)) bits++;
  return sign | bits;
}

/** bfloat16 bits (the top half of a float32) to their value. */
export function bfloat16ToFloat(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}

/** A float32 value to bfloat16 bits, rounded to nearest, ties to even. */
export function floatToBfloat16(value: number): number {
  scratch.setFloat32(0, value);
  const f = scratch.getUint32(0);
  if (Number.isNaN(value)) return ((f >>> 16) & 0x8000) | 0x7fc0;
  return ((f + 0x7fff + ((f >>> 16) & 1)) >>> 16) & 0xffff;
}
/** Headers larger than this are refused before they are read (real headers are kilobytes). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function storedDtype(t: NamedTensor): SafetensorsDtype | HalfDtype {
  if (t.stored && t.dtype !== 'F32') throw new SafetensorsError(`${t.name}: only F32 tensors can be stored as ${t.stored}`);
  return t.stored ?? t.dtype;
}

function littleEndianBytes(t: NamedTensor): Uint8Array {
  const dtype = storedDtype(t);
  const out = new Uint8Array(t.data.length * BYTES[dtype]);
  const view = new DataView(out.buffer);
  if (dtype === 'F16' || dtype === 'BF16') {
    const convert = dtype === 'F16' ? floatToHalf : floatToBfloat16;
    for (let i = 0; i < t.data.length; i++) view.setUint16(i * 2, convert(t.data[i] as number), true);
    return out;
  }
  for (let i = 0; i < t.data.length; i++) {
    if (t.dtype === 'F32') view.setFloat32(i * 4, t.data[i] as number, true);
    else view.setInt32(i * 4, t.data[i] as number, true);
  }
  return out;
}

export function writeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || seen.has(t.name)) throw new SafetensorsError(`tensor name "${t.name}" is reserved or used twice`);
    seen.add(t.name);
    if (elements(t.shape) !== t.data.length) throw new SafetensorsError(`${t.name}: shape [${t.shape.join(', ')}] holds ${elements(t.shape)} values, the data has ${t.data.length}`);
    const dtype = storedDtype(t);
    const size = t.data.length * BYTES[dtype];
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    const bytes = littleEndianBytes(t);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Where one tensor's bytes lie: `begin` and `end` count from the file's first byte, not from the data's. */
export interface TensorEntry {
  name: string;
  stored: SafetensorsDtype | HalfDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** The tensors of dtypes this reader holds, in the header's order. */
  entries: TensorEntry[];
  metadata: Record<string, string>;
  skipped: { name: string; dtype: string; shape: number[] }[];
}

/** The header's length from a file's first 8 bytes (checked against the limit), so a reader can fetch just the header. */
export function headerLength(first: Uint8Array, fileSize: number, fileName = 'the file'): number {
  if (fileSize < 8 || first.length < 8) throw new SafetensorsError(`${fileName}: ${fileSize} bytes is too short for a safetensors file (an 8-byte header length comes first)`);
  const declared = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`${fileName}: the header length ${declared} is over the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or a damaged one`);
  const n = Number(declared);
  if (8 + n > fileSize) throw new SafetensorsError(`${fileName}: the header length ${n} runs past the end of the file (${fileSize} bytes)`);
  return n;
}

/**
 * Parses and checks a header against the file's size without reading any tensor: `start` holds at least the file's
 * first 8 + N bytes. Every tensor's span is checked (its size from shape and dtype, no overlaps, no gaps).
 */
export function readSafetensorsHeader(start: Uint8Array, fileSize: number, fileName = 'the file', options: ReadOptions = {}): SafetensorsHeader {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${fileName}: ${why}`);
  };
  const n = headerLength(start, fileSize, fileName);
  if (start.length < 8 + n) fail(`only ${start.length} of the header's ${8 + n} bytes were given`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(start.subarray(8, 8 + n)));
  } catch (err) {
    fail(`the header is not valid JSON (${errorMessage(err)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  const spans: [number, number, string][] = [];
  const skipped: { name: string; dtype: string; shape: number[] }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof e !== 'object' || e === null) fail(`tensor ${name}: its entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const supported = typeof dtype === 'string' && Object.hasOwn(BYTES, dtype);
    if (!supported && !options.skipUnsupported) fail(`tensor ${name}: dtype ${JSON.stringify(dtype)} is not supported (F32, I32, F16 or BF16)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) fail(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > dataLength) fail(`tensor ${name}: data_offsets [${begin}, ${end}] fall outside the ${dataLength} data bytes`);
    spans.push([begin, end, name]);
    if (!supported) {
      skipped.push({ name, dtype: String(dtype), shape: shape as number[] });
      continue;
    }
    const stored = dtype as SafetensorsDtype | HalfDtype;
    const size = elements(shape as number[]) * BYTES[stored];
    if (end - begin !== size) fail(`tensor ${name}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${size} bytes, data_offsets give ${end - begin}`);
    entries.push({ name, stored, shape: shape as number[], begin: dataStart + begin, end: dataStart + end });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin < covered) fail(`tensor ${name}: its bytes overlap another tensor's`);
    if (begin > covered) fail(`${begin - covered} bytes before tensor ${name} belong to no tensor`);
    covered = end;
  }
  if (covered !== dataLength) fail(`${dataLength - covered} bytes after the last tensor belong to no tensor`);
  return { entries, metadata, skipped };
}

/** Reads and checks a whole file; every problem is a SafetensorsError naming what is wrong. */
export function readSafetensors(bytes: Uint8Array, fileName = 'the file', options: ReadOptions = {}): SafetensorsFile {
  const { entries, metadata, skipped } = readSafetensorsHeader(bytes, bytes.length, fileName, options);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = entries.map((e) => decodeTensor(view, e.begin, e.name, e.stored, e.shape));
  return options.skipUnsupported ? { tensors, metadata, skipped } : { tensors, metadata };
}

/**
 * One tensor's values from its bytes alone (as a reader that fetches tensor by tensor has them), half precision
 * widened to float32. Only float tensors: the model's weights.
 */
export function decodeFloatTensor(bytes: Uint8Array, stored: 'F32' | HalfDtype, shape: number[], name = 'the tensor'): Float32Array {
  const size = elements(shape) * BYTES[stored];
  if (bytes.length !== size) throw new SafetensorsError(`${name}: ${bytes.length} bytes read, its shape [${shape.join(', ')}] of ${stored} needs ${size}`);
  return decodeTensor(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, name, stored, shape).data as Float32Array;
}

function decodeTensor(view: DataView, at: number, name: string, stored: SafetensorsDtype | HalfDtype, shape: number[]): NamedTensor {
  const count = elements(shape);
  if (stored === 'I32') {
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(at + i * 4, true);
    return { name, dtype: 'I32', shape, data };
  }
  const data = new Float32Array(count);
  if (stored === 'F32') {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + i * 4, true);
    return { name, dtype: 'F32', shape, data };
  }
  const widen = stored === 'F16' ? halfToFloat : bfloat16ToFloat;
  for (let i = 0; i < count; i++) data[i] = widen(view.getUint16(at + i * 2, true));
  return { name, dtype: 'F32', shape, data, stored };
}
