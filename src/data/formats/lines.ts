/**
 * A byte-level line splitter for streamed files. Chunks arrive as they come off the (decompressed) stream; lines
 * are handed on as byte ranges into those chunks, so a line is never decoded or copied unless it straddles two
 * chunks. A UTF-8 byte-order mark at the start of the file is skipped and a CR before each LF is dropped
 * (Windows line ends are accepted), so readers only ever see the line's content.
 */
export type LineSink = (buf: Uint8Array, start: number, end: number) => void;

const LF = 10;
const CR = 13;
/** A "line" this long is almost certainly a binary file read as text; holding it would only exhaust memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class LineSplitter {
  private carry: Uint8Array | null = null;
  private atFileStart = true;
  /** Lines handed on so far; the next line's number is `lines + 1`. */
  lines = 0;

  constructor(private readonly sink: LineSink) {}

  push(chunk: Uint8Array): void {
    if (this.atFileStart) {
      // The BOM may itself be split across chunks: wait until three bytes are in hand.
      const head = this.carry ? concat(this.carry, chunk) : chunk;
      if (head.length < 3) {
        this.carry = head.slice();
        return;
      }
      this.atFileStart = false;
      this.carry = null;
      chunk = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    let pos = 0;
    if (this.carry) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        if (this.carry.length + chunk.length > MAX_LINE_BYTES) throw new LineTooLong(`line ${this.lines + 1} is longer than ${MAX_LINE_BYTES} bytes`);
        this.carry = concat(this.carry, chunk);
        return;
      }
      const line = concat(this.carry, chunk.subarray(0, nl));
      this.carry = null;
      this.emit(line, 0, line.length);
      pos = nl + 1;
    }
    for (let nl = chunk.indexOf(LF, pos); nl >= 0; nl = chunk.indexOf(LF, pos)) {
      this.emit(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) {
      if (chunk.length - pos > MAX_LINE_BYTES) throw new LineTooLong(`line ${this.lines + 1} is longer than ${MAX_LINE_BYTES} bytes`);
      this.carry = chunk.slice(pos);
    }
  }

  /** Hands on a last line that had no line end. */
  finish(): void {
    if (this.atFileStart && this.carry) {
      // A file shorter than three bytes holds no BOM; split it like any other bytes.
      const head = this.carry;
      this.carry = null;
      this.atFileStart = false;
      this.push(head);
    }
    if (this.carry && this.carry.length > 0) this.emit(this.carry, 0, this.carry.length);
    this.carry = null;
  }

  private emit(buf: Uint8Array, start: number, end: number): void {
    this.lines++;
    this.sink(buf, start, end > start && buf[end - 1] === CR ? end - 1 : end);
  }
}
