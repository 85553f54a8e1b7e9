/**
 * The safetensors format, written and read from its description: an 8-byte little-endian header length N, N bytes
 * of JSON (each tensor's dtype, shape and [begin, end) byte offsets into the data that follows, plus an optional
 * `__metadata__` map of strings), then the tensors' bytes, little-endian. The header is padded with spaces to a
 * multiple of 8 bytes so that the data starts aligned.
 */

export type SafetensorsDtype = 'F32' | 'I32';

export interface NamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, I32: 4 };
/** Headers larger than this are refused before they are read (real headers are kilobytes). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function littleEndianBytes(t: NamedTensor): Uint8Array {
  const out = new Uint8Array(t.data.length * 4);
  const view = new DataView(out.buffer);
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
    const size = t.data.length * BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
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

/** Reads and checks a whole file; every problem is a SafetensorsError naming what is wrong. */
export function readSafetensors(bytes: Uint8Array, fileName = 'the file'): SafetensorsFile {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${fileName}: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for a safetensors file (an 8-byte header length comes first)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`the header length ${declared} is over the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or a damaged one`);
  const n = Number(declared);
  if (8 + n > bytes.length) fail(`the header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`the header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const entries = header as Record<string, unknown>;
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: NamedTensor[] = [];
  const spans: [number, number, string][] = [];
  for (const [name, value] of Object.entries(entries)) {
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
    if (dtype !== 'F32' && dtype !== 'I32') fail(`tensor ${name}: dtype ${JSON.stringify(dtype)} is not supported (F32 or I32)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) fail(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > dataLength) fail(`tensor ${name}: data_offsets [${begin}, ${end}] fall outside the ${dataLength} data bytes`);
    const size = elements(shape as number[]) * BYTES[dtype as SafetensorsDtype];
    if (end - begin !== size) fail(`tensor ${name}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${size} bytes, data_offsets give ${end - begin}`);
    spans.push([begin, end, name]);
    const count = elements(shape as number[]);
    const data = dtype === 'F32' ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const at = dataStart + begin + i * 4;
      data[i] = dtype === 'F32' ? view.getFloat32(at, true) : view.getInt32(at, true);
    }
    tensors.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin < covered) fail(`tensor ${name}: its bytes overlap another tensor's`);
    if (begin > covered) fail(`${begin - covered} bytes before tensor ${name} belong to no tensor`);
    covered = end;
  }
  if (covered !== dataLength) fail(`${dataLength - covered} bytes after the last tensor belong to no tensor`);
  return { tensors, metadata };
}
