/**
 * Reading a File as a stream of lines: gzip recognised by its magic bytes (not the name) and inflated while
 * streaming, raw bytes counted for progress, and a corrupt or cut-off `.gz` reported as such rather than read as
 * a short file.
 */
import { LineSplitter } from './lines';
import { errorMessage } from '../../util/errors';

export class FileFormatError extends Error {
  override name = 'FileFormatError';
}

export async function isGzip(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Bytes read from the file per slice: big reads keep the per-read cost of a Blob low against the parsing. */
export const READ_BYTES = 4 * 1024 * 1024;

/**
 * The file's bytes in large slices, one slice read ahead while the previous is parsed. `Blob.stream()` hands out
 * 64 KB pieces, each a round trip to the browser's file reader, and at a gigabyte a minute those add up.
 */
function sliceStream(file: Blob, onRawBytes: (n: number) => void, readBytes = READ_BYTES): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (at >= file.size) {
          controller.close();
          return;
        }
        const end = Math.min(file.size, at + readBytes);
        const bytes = new Uint8Array(await file.slice(at, end).arrayBuffer());
        at = end;
        onRawBytes(bytes.byteLength);
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 2 },
  );
}

function byteStream(file: Blob, gzip: boolean, onRawBytes: (n: number) => void, readBytes?: number): ReadableStream<Uint8Array> {
  const raw = sliceStream(file, onRawBytes, readBytes);
  return gzip ? raw.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>) : raw;
}

const SNIFF_BYTES = 64 * 1024;
const SNIFF_READ = 256 * 1024;

/** The first complete lines of a file (decompressed when gzip), for recognising its layout. */
export async function sniffLines(file: Blob, gzip: boolean, maxLines = 20): Promise<string[]> {
  // Only the head is needed: a short slice, so that sniffing a large file never reads much of it.
  const head = gzip ? file : file.slice(0, SNIFF_READ);
  const reader = byteStream(head, gzip, () => undefined).getReader();
  const lines: string[] = [];
  const decoder = new TextDecoder();
  const splitter = new LineSplitter((buf, s, e) => {
    if (lines.length < maxLines) lines.push(decoder.decode(buf.subarray(s, e)));
  });
  let seen = 0;
  try {
    const partialDecoder = new TextDecoder();
    let partial = '';
    while (lines.length < maxLines && seen < SNIFF_BYTES) {
      const { done, value } = await reader.read();
      if (done) {
        splitter.finish();
        partial = '';
        break;
      }
      seen += value.byteLength;
      splitter.push(value);
      if (lines.length === 0) partial += partialDecoder.decode(value, { stream: true });
    }
    // A first line longer than what was read (JSONL with hundreds of negatives): its start is still evidence.
    if (lines.length === 0 && partial.length > 0) lines.push(partial.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FileFormatError(gzip ? `the gzip data is corrupt (${errorMessage(err)})` : String(err));
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return lines;
}

export interface StreamHooks {
  /** Raw (compressed) bytes read so far, for progress. */
  onRawBytes: (n: number) => void;
  /** Called after each chunk; awaiting it applies back-pressure and lets cancellation through. */
  afterChunk: () => Promise<void>;
  readBytes?: number | undefined;
}

/** Streams every line of `file` into `splitter`; throws FileFormatError for damaged gzip data. */
export async function streamLines(file: Blob, gzip: boolean, splitter: LineSplitter, hooks: StreamHooks): Promise<void> {
  const reader = byteStream(file, gzip, hooks.onRawBytes, hooks.readBytes).getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        const why = errorMessage(err);
        throw new FileFormatError(
          gzip ? `the gzip data is truncated or corrupt after line ${splitter.lines} (${why}); nothing of this import was kept` : `reading failed after line ${splitter.lines}: ${why}`,
        );
      }
      if (chunk.done) break;
      splitter.push(chunk.value);
      await hooks.afterChunk();
    }
    splitter.finish();
  } finally {
    // Stops the file read (and the inflater) when we leave early: an error, a cancel.
    await reader.cancel().catch(() => undefined);
  }
}
