/**
 * Token rows: one text per row, its token ids in a fixed-width slot (zero-padded, truncated to the width), so row r
 * sits at a known byte and a batch is read with one small read per text instead of holding the whole table.
 *
 * File layout (little-endian, as typed arrays are on every platform browsers run on):
 *   header  32 bytes: magic "MSTR", format version, rows, width (tokens per row), bytes per token (2 or 4)
 *   ids     rows × int32: the table's id column, in row order
 *   tokens  rows × width × (uint16 | int32)
 * Ids come first because the importer's first pass knows them (and the width) before the rows are written.
 */
import type { TextColumns } from '../store/schema';
import { readExactly, type RandomAccessFile } from './files';

/**
 * The widest row kept. Runs read at most 512 tokens of a query or passage (the run config's limit), so cutting
 * longer texts here never changes a batch; MS MARCO passages average about 80 word pieces.
 */
export const ROW_TOKEN_LIMIT = 512;

const MAGIC = 0x5254534d; // "MSTR" read as a little-endian uint32
const FORMAT = 1;
const HEADER_BYTES = 32;

export interface TokenRowsShape {
  rows: number;
  /** Tokens per row. */
  width: number;
  /** 2 when every token id fits in 16 bits (a vocabulary under 65,536), else 4. */
  bytesPerToken: 2 | 4;
}

/** Width and token size that hold every row of a table, from the lengths and largest id seen in a first pass. */
export function rowShapeFor(rows: number, longest: number, smallestId: number, largestId: number): TokenRowsShape {
  return { rows, width: Math.max(1, Math.min(ROW_TOKEN_LIMIT, longest)), bytesPerToken: smallestId >= 0 && largestId < 65536 ? 2 : 4 };
}

function headerBytes(shape: TokenRowsShape): Uint8Array {
  const h = new Uint32Array(HEADER_BYTES / 4);
  h.set([MAGIC, FORMAT, shape.rows, shape.width, shape.bytesPerToken]);
  return new Uint8Array(h.buffer);
}

const tokensStart = (rows: number) => HEADER_BYTES + 4 * rows;

/** Writes a token-row file chunk by chunk, in table order. */
export class TokenRowWriter {
  private written = 0;

  constructor(
    private readonly file: RandomAccessFile,
    readonly shape: TokenRowsShape,
    private readonly name: string,
  ) {
    file.write(headerBytes(shape), 0);
  }

  /** Appends one chunk's rows: their ids and their tokens, cut to the width. */
  append(cols: TextColumns): void {
    const n = cols.id.length;
    const { width, bytesPerToken, rows } = this.shape;
    if (this.written + n > rows) throw new Error(`${this.name}: more rows than the ${rows} the file was made for`);
    this.file.write(new Uint8Array(cols.id.buffer, cols.id.byteOffset, n * 4), HEADER_BYTES + 4 * this.written);
    const block = bytesPerToken === 2 ? new Uint16Array(n * width) : new Int32Array(n * width);
    for (let r = 0; r < n; r++) {
      const from = cols.tokOffsets[r] as number;
      const to = Math.min(cols.tokOffsets[r + 1] as number, from + width);
      const toks = cols.tokens.subarray(from, to);
      if (bytesPerToken === 2) {
        for (let i = 0; i < toks.length; i++) {
          const t = toks[i] as number;
          if (t < 0 || t > 65535) throw new Error(`${this.name}: token id ${t} of row ${this.written + r} does not fit the file's 16-bit tokens`);
        }
      }
      block.set(toks, r * width);
    }
    this.file.write(new Uint8Array(block.buffer), tokensStart(rows) + this.written * width * bytesPerToken);
    this.written += n;
  }

  finish(): void {
    if (this.written !== this.shape.rows) throw new Error(`${this.name}: ${this.written} rows written, ${this.shape.rows} expected`);
    this.file.flush();
  }
}

/** Reads rows of a token-row file: the id column once, token rows a few at a time. */
export class TokenRows {
  private readonly rowBytes: Uint8Array;
  private readonly rowView: Uint16Array | Int32Array;

  private constructor(
    private readonly file: RandomAccessFile,
    readonly shape: TokenRowsShape,
    readonly name: string,
  ) {
    this.rowBytes = new Uint8Array(shape.width * shape.bytesPerToken);
    this.rowView = shape.bytesPerToken === 2 ? new Uint16Array(this.rowBytes.buffer) : new Int32Array(this.rowBytes.buffer);
  }

  static open(file: RandomAccessFile, name: string): TokenRows {
    const head = new Uint8Array(HEADER_BYTES);
    readExactly(file, head, 0, name);
    const [magic, format, rows, width, bytesPerToken] = new Uint32Array(head.buffer);
    if (magic !== MAGIC) throw new Error(`${name} is not a token-row file (wrong magic number)`);
    if (format !== FORMAT) throw new Error(`${name} has token-row format ${format}; this version reads format ${FORMAT}`);
    if (bytesPerToken !== 2 && bytesPerToken !== 4) throw new Error(`${name}: ${bytesPerToken} bytes per token is not a token size`);
    const shape: TokenRowsShape = { rows: rows as number, width: width as number, bytesPerToken };
    const expected = tokensStart(shape.rows) + shape.rows * shape.width * bytesPerToken;
    if (file.size() < expected) throw new Error(`${name} holds ${file.size()} bytes; ${shape.rows} rows of ${shape.width} tokens need ${expected}; the file was cut short`);
    return new TokenRows(file, shape, name);
  }

  /** The id of every row, in row order. */
  ids(): Int32Array {
    const ids = new Int32Array(this.shape.rows);
    readExactly(this.file, new Uint8Array(ids.buffer), HEADER_BYTES, this.name);
    return ids;
  }

  /**
   * The tokens of these rows as a [rows.length, length] id matrix, 0 for padding: what `padTokens` makes from the
   * whole table, for any length up to ROW_TOKEN_LIMIT.
   */
  gather(rows: ArrayLike<number>, length: number): Int32Array {
    const { width, bytesPerToken } = this.shape;
    const out = new Int32Array(rows.length * length);
    const take = Math.min(width, length);
    const start = tokensStart(this.shape.rows);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k] as number;
      if (!Number.isInteger(r) || r < 0 || r >= this.shape.rows) throw new Error(`${this.name}: row ${r} does not exist (the file has ${this.shape.rows} rows)`);
      readExactly(this.file, this.rowBytes.subarray(0, take * bytesPerToken), start + r * width * bytesPerToken, this.name);
      out.set(this.rowView.subarray(0, take), k * length);
    }
    return out;
  }

  close(): void {
    this.file.close();
  }
}
