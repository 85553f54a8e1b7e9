/**
 * A zip written file by file and block by block: the archive's bytes are handed to Blobs as they come (a browser
 * keeps large Blobs on disk, not in the page's memory), so a handoff of MS MARCO's size never sits in the heap.
 * fflate writes plain zip (no zip64): the archive must stay under 4 GiB, and this says so before it breaks.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { blobPart } from '../util/bytes';

/** Plain zip's 32-bit sizes and offsets. */
export const ZIP_LIMIT = 0xffff_ffff;
/** Output is gathered into Blobs of about this size. */
const BLOB_PART = 16 * 1024 * 1024;

export class ZipTooLarge extends Error {
  override name = 'ZipTooLarge';
}

export interface ZipEntryWriter {
  push(bytes: Uint8Array): void;
  end(): void;
}

export class ZipStream {
  private readonly blobs: Blob[] = [];
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  private total = 0;
  private failure: Error | null = null;
  private open: string | null = null;
  private finished = false;
  private readonly zip: Zip;

  constructor(
    private readonly mtime: Date = new Date(),
    private readonly limit = ZIP_LIMIT,
  ) {
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failure ??= err;
        return;
      }
      this.total += chunk.length;
      // Copied: fflate may reuse its buffers.
      this.pending.push(blobPart(chunk.slice()));
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= BLOB_PART || final) this.flush();
    });
  }

  /** Bytes of archive written so far. */
  get bytes(): number {
    return this.total;
  }

  /** Starts the next file; the previous one must have ended. Text is deflated, `store` keeps bytes as they are. */
  file(path: string, store = false): ZipEntryWriter {
    if (this.finished) throw new Error('the zip is already finished');
    if (this.open) throw new Error(`cannot start ${path}: ${this.open} is still being written`);
    if (path.split('/').some((p) => p === '' || p === '..')) throw new Error(`cannot zip ${JSON.stringify(path)}: not a relative path`);
    const entry = store ? new ZipPassThrough(path) : new ZipDeflate(path, { level: 6 });
    entry.mtime = this.mtime;
    this.zip.add(entry);
    this.open = path;
    let size = 0;
    return {
      push: (bytes) => {
        size += bytes.length;
        if (size > this.limit || this.total > this.limit) throw new ZipTooLarge(`the handoff zip would pass 4 GiB at ${path} (plain zip cannot hold more); hand off only the passages the triples use, or split the dataset`);
        entry.push(bytes);
        this.check();
      },
      end: () => {
        entry.push(new Uint8Array(0), true);
        this.open = null;
        this.check();
      },
    };
  }

  /** A whole small file at once. */
  add(path: string, bytes: Uint8Array, store = false): void {
    const w = this.file(path, store);
    w.push(bytes);
    w.end();
  }

  /** Ends the archive (central directory) and returns it. */
  finish(): Blob {
    if (this.open) throw new Error(`cannot finish the zip: ${this.open} is still being written`);
    this.zip.end();
    this.finished = true;
    this.check();
    if (this.total > this.limit) throw new ZipTooLarge('the handoff zip passed 4 GiB, which plain zip cannot address');
    this.flush();
    return new Blob(this.blobs, { type: 'application/zip' });
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.blobs.push(new Blob(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
