/**
 * Teacher triples resolved to row numbers of the token-row files, as fixed 20-byte records (query row, positive
 * row, negative row: int32; the teacher's two scores: float32), so the sampler can hold indices only and a batch
 * reads its triples one record each. Triples naming an id the dataset lacks are counted in the header, not stored.
 *
 * Layout: header 32 bytes (magic "MSTT", format version, records, unresolved), then the records.
 */
import { readExactly, type RandomAccessFile } from './files';

const MAGIC = 0x5454534d; // "MSTT" read as a little-endian uint32
const FORMAT = 1;
const HEADER_BYTES = 32;
/** Int32 or float32 fields per record. */
const FIELDS = 5;
export const TRIPLE_RECORD_BYTES = FIELDS * 4;

export interface TripleRows {
  queryRow: Int32Array;
  posRow: Int32Array;
  negRow: Int32Array;
  posScore: Float32Array;
  negScore: Float32Array;
}

/** Records this many at a time: one write per block while building, one read per block while scanning. */
const BLOCK = 16384;

export class TripleRecordWriter {
  private readonly block = new ArrayBuffer(BLOCK * TRIPLE_RECORD_BYTES);
  private readonly ints = new Int32Array(this.block);
  private readonly floats = new Float32Array(this.block);
  private inBlock = 0;
  private written = 0;
  unresolved = 0;

  constructor(private readonly file: RandomAccessFile) {}

  add(queryRow: number, posRow: number, negRow: number, posScore: number, negScore: number): void {
    const at = this.inBlock * FIELDS;
    this.ints[at] = queryRow;
    this.ints[at + 1] = posRow;
    this.ints[at + 2] = negRow;
    this.floats[at + 3] = posScore;
    this.floats[at + 4] = negScore;
    if (++this.inBlock === BLOCK) this.spill();
  }

  private spill(): void {
    if (this.inBlock === 0) return;
    this.file.write(new Uint8Array(this.block, 0, this.inBlock * TRIPLE_RECORD_BYTES), HEADER_BYTES + this.written * TRIPLE_RECORD_BYTES);
    this.written += this.inBlock;
    this.inBlock = 0;
  }

  /** Writes what is buffered and the header; returns the records stored. */
  finish(): number {
    this.spill();
    const head = new Uint32Array(HEADER_BYTES / 4);
    head.set([MAGIC, FORMAT, this.written, this.unresolved]);
    this.file.write(new Uint8Array(head.buffer), 0);
    this.file.flush();
    return this.written;
  }
}

export class TripleRecords {
  private readonly one = new ArrayBuffer(TRIPLE_RECORD_BYTES);
  private readonly oneBytes = new Uint8Array(this.one);
  private readonly oneInts = new Int32Array(this.one);
  private readonly oneFloats = new Float32Array(this.one);

  private constructor(
    private readonly file: RandomAccessFile,
    readonly size: number,
    readonly unresolved: number,
    readonly name: string,
  ) {}

  static open(file: RandomAccessFile, name: string): TripleRecords {
    const head = new Uint8Array(HEADER_BYTES);
    readExactly(file, head, 0, name);
    const h = new Uint32Array(head.buffer);
    const [magic, format, size, unresolved] = [h[0] as number, h[1] as number, h[2] as number, h[3] as number];
    if (magic !== MAGIC) throw new Error(`${name} is not a triple-record file (wrong magic number)`);
    if (format !== FORMAT) throw new Error(`${name} has triple-record format ${format}; this version reads format ${FORMAT}`);
    const expected = HEADER_BYTES + size * TRIPLE_RECORD_BYTES;
    if (file.size() < expected) throw new Error(`${name} holds ${file.size()} bytes; ${size} triples need ${expected}; the file was cut short`);
    return new TripleRecords(file, size, unresolved, name);
  }

  /** The triples at these indices, one read each. */
  read(indices: ArrayLike<number>): TripleRows {
    const n = indices.length;
    const out: TripleRows = { queryRow: new Int32Array(n), posRow: new Int32Array(n), negRow: new Int32Array(n), posScore: new Float32Array(n), negScore: new Float32Array(n) };
    for (let k = 0; k < n; k++) {
      const i = indices[k] as number;
      if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new Error(`${this.name}: triple ${i} does not exist (the file has ${this.size})`);
      readExactly(this.file, this.oneBytes, HEADER_BYTES + i * TRIPLE_RECORD_BYTES, this.name);
      out.queryRow[k] = this.oneInts[0] as number;
      out.posRow[k] = this.oneInts[1] as number;
      out.negRow[k] = this.oneInts[2] as number;
      out.posScore[k] = this.oneFloats[3] as number;
      out.negScore[k] = this.oneFloats[4] as number;
    }
    return out;
  }

  /** Every triple in order, a block at a time: `visit(rows, first)` gets records first..first+rows.length-1. */
  scan(visit: (rows: TripleRows, first: number) => void): void {
    const buffer = new ArrayBuffer(BLOCK * TRIPLE_RECORD_BYTES);
    const ints = new Int32Array(buffer);
    const floats = new Float32Array(buffer);
    for (let first = 0; first < this.size; first += BLOCK) {
      const n = Math.min(BLOCK, this.size - first);
      readExactly(this.file, new Uint8Array(buffer, 0, n * TRIPLE_RECORD_BYTES), HEADER_BYTES + first * TRIPLE_RECORD_BYTES, this.name);
      const rows: TripleRows = { queryRow: new Int32Array(n), posRow: new Int32Array(n), negRow: new Int32Array(n), posScore: new Float32Array(n), negScore: new Float32Array(n) };
      for (let k = 0; k < n; k++) {
        rows.queryRow[k] = ints[k * FIELDS] as number;
        rows.posRow[k] = ints[k * FIELDS + 1] as number;
        rows.negRow[k] = ints[k * FIELDS + 2] as number;
        rows.posScore[k] = floats[k * FIELDS + 3] as number;
        rows.negScore[k] = floats[k * FIELDS + 4] as number;
      }
      visit(rows, first);
    }
  }

  close(): void {
    this.file.close();
  }
}
