import { describe, expect, it } from 'vitest';
import { MemoryFile, MemoryFolder, type FileFolder, type RandomAccessFile } from '../data/rows/files';
import { encodeToFile, VECTORS_FILE, VectorFile, type EncodeSpec } from './vectors';

const HEADER = 288;
const ROWS = 50;
const DIM = 3;

/** Row r's vector is (r, r + 1/8, r + 2/8): exact in float32, and different for every row. */
function vectorsOf(from: number, to: number): Float32Array {
  return Float32Array.from({ length: (to - from) * DIM }, (_, j) => from + Math.floor(j / DIM) + (j % DIM) / 8);
}

/**
 * An embed that records its calls and moves a clock 1 ms per batch, so that with markEveryMs 3 rows done is
 * recorded every third batch. `stopAt` makes that call (0-based) throw; `hangAt` makes it never return.
 */
function embedder(options: { stopAt?: number; hangAt?: number } = {}) {
  const calls: [number, number][] = [];
  const progress: [number, number, number][] = [];
  let clock = 0;
  let reached = () => undefined as void;
  const hung = new Promise<void>((resolve) => (reached = resolve));
  const embed = async (from: number, to: number): Promise<Float32Array> => {
    clock += 1;
    if (calls.length === options.stopAt) throw new Error('stopped');
    if (calls.length === options.hangAt) {
      reached();
      return new Promise<Float32Array>(() => undefined);
    }
    calls.push([from, to]);
    return vectorsOf(from, to);
  };
  const spec = (key = 'student@step-100'): EncodeSpec => ({ key, rows: ROWS, dim: DIM, batch: 4, markEveryMs: 3, now: () => clock });
  return { embed, calls, progress, hung, spec, onProgress: (d: number, n: number, r: number) => void progress.push([d, n, r]) };
}

/** The batches [from, to) of 4 rows from `from` to the end. */
const batchesFrom = (from: number) => Array.from({ length: Math.ceil((ROWS - from) / 4) }, (_, i) => [from + 4 * i, Math.min(ROWS, from + 4 * i + 4)]);

const bytesOf = (folder: MemoryFolder) => (folder.files.get(VECTORS_FILE) as MemoryFile).contents();
const rowsDoneIn = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);

async function folderHolding(bytes: Uint8Array): Promise<MemoryFolder> {
  const folder = new MemoryFolder();
  const file = await folder.open(VECTORS_FILE, true);
  file.write(bytes, 0);
  file.close();
  return folder;
}

/** The bytes of an uninterrupted run. */
async function wholeRun(key?: string): Promise<Uint8Array> {
  const folder = new MemoryFolder();
  const e = embedder();
  (await encodeToFile(folder, e.spec(key), e.embed)).close();
  return bytesOf(folder);
}

/**
 * A file that can crash at its nth flush: what it leaves is what a machine stopping then could leave. The bytes of
 * the last flush survive; of the writes since, header ones land (the worst case: a count that claims rows) and
 * vector ones are lost, though the file grew to hold them (zeros in their place). After the crash it does nothing.
 */
class CrashingFile extends MemoryFile {
  flushes = 0;
  left: Uint8Array | null = null;
  private durable: Uint8Array = new Uint8Array(0);
  private pending: { at: number; bytes: Uint8Array }[] = [];

  constructor(private readonly crashAtFlush: number) {
    super();
  }

  override read(into: Uint8Array, at: number): number {
    this.alive();
    return super.read(into, at);
  }

  override write(from: Uint8Array, at: number): void {
    this.alive();
    super.write(from, at);
    this.pending.push({ at, bytes: from.slice() });
  }

  override flush(): void {
    this.alive();
    if (++this.flushes === this.crashAtFlush) {
      const left = new Uint8Array(this.size());
      left.set(this.durable);
      for (const w of this.pending) if (w.at < 32) left.set(w.bytes, w.at);
      this.left = left;
      throw new Error('crash');
    }
    this.durable = this.contents();
    this.pending = [];
  }

  private alive(): void {
    if (this.left) throw new Error('crash');
  }
}

/** A folder that starts empty and gives its one vector file a crash at the nth flush. */
class CrashingFolder implements FileFolder {
  file: CrashingFile | null = null;

  constructor(private readonly crashAtFlush: number) {}

  async open(_name: string, create: boolean): Promise<RandomAccessFile> {
    if (!create) throw new Error('this folder only writes');
    this.file = new CrashingFile(this.crashAtFlush);
    return this.file;
  }

  async openForUpdate(): Promise<RandomAccessFile> {
    return new MemoryFile();
  }

  async list(): Promise<string[]> {
    return [];
  }

  async remove(): Promise<void> {}
}

describe('encodeToFile', () => {
  it('writes the header and exactly the vectors embed gave, batch by batch, reporting rows as it goes', async () => {
    const folder = new MemoryFolder();
    const e = embedder();
    const file = await encodeToFile(folder, e.spec(), e.embed, e.onProgress);
    expect(e.calls).toEqual(batchesFrom(0));
    expect(e.progress).toEqual([[0, ROWS, 0], ...batchesFrom(0).map(([, to]) => [to, ROWS, 0])]);
    expect([file.rows, file.dim, file.key]).toEqual([ROWS, DIM, 'student@step-100']);
    expect(file.read(10, 12)).toEqual(vectorsOf(10, 12));
    file.close();

    const bytes = bytesOf(folder);
    expect(bytes.length).toBe(HEADER + ROWS * DIM * 4);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('MSTV');
    // format 1, 50 rows of 3 dims, all 50 done, a key of 16 bytes
    expect(Array.from(new Uint32Array(bytes.slice(4, 24).buffer))).toEqual([1, ROWS, DIM, ROWS, 16]);
    expect(new TextDecoder().decode(bytes.subarray(32, 48))).toBe('student@step-100');
    expect(bytes.subarray(48, HEADER).every((b) => b === 0)).toBe(true);
    expect(new Float32Array(bytes.slice(HEADER).buffer)).toEqual(vectorsOf(0, ROWS));
  });

  it('after a stop or a failed batch, resumes from the rows written before it', async () => {
    const folder = new MemoryFolder();
    const stopped = embedder({ stopAt: 5 });
    await expect(encodeToFile(folder, stopped.spec(), stopped.embed)).rejects.toThrow('stopped');
    // Batches 0-4 (rows 0-19) were written; the stop recorded them, though the last mark was at row 12.
    expect(rowsDoneIn(bytesOf(folder))).toBe(20);

    const resumed = embedder();
    (await encodeToFile(folder, resumed.spec(), resumed.embed, resumed.onProgress)).close();
    expect(resumed.calls).toEqual(batchesFrom(20));
    expect(resumed.progress[0]).toEqual([20, ROWS, 20]);
    expect(resumed.progress.at(-1)).toEqual([ROWS, ROWS, 20]);
    expect(bytesOf(folder)).toEqual(await wholeRun());
  });

  it('after the tab closes mid-batch, resumes from the last mark and redoes only the rows after it', async () => {
    const folder = new CrashingFolder(Infinity);
    const closing = embedder({ hangAt: 8 });
    void encodeToFile(folder, closing.spec(), closing.embed);
    await closing.hung;
    // The tab closes while batch 8 is on the device: nothing more runs. Marks came after batches 2 and 5 (rows 24).
    const file = folder.file as CrashingFile;
    const disk = await folderHolding(file.contents());
    expect(rowsDoneIn(file.contents())).toBe(24);

    const resumed = embedder();
    (await encodeToFile(disk, resumed.spec(), resumed.embed, resumed.onProgress)).close();
    expect(resumed.calls).toEqual(batchesFrom(24));
    expect(resumed.progress[0]).toEqual([24, ROWS, 24]);
    expect(bytesOf(disk)).toEqual(await wholeRun());
  });

  it('survives a crash at any flush: the header never claims vectors that were not on disk', async () => {
    const whole = new CrashingFolder(Infinity);
    const e = embedder();
    (await encodeToFile(whole, e.spec(), e.embed)).close();
    const flushes = (whole.file as CrashingFile).flushes;
    // The header, then two per mark (after batches 2, 5, 8, 11 and the last).
    expect(flushes).toBe(11);
    for (let n = 1; n <= flushes; n++) {
      const crashing = new CrashingFolder(n);
      const first = embedder();
      await expect(encodeToFile(crashing, first.spec(), first.embed)).rejects.toThrow('crash');
      const left = (crashing.file as CrashingFile).left as Uint8Array;
      const disk = await folderHolding(left);
      const resumed = embedder();
      (await encodeToFile(disk, resumed.spec(), resumed.embed)).close();
      expect(resumed.calls, `crash at flush ${n}`).toEqual(batchesFrom(rowsDoneIn(left)));
      expect(bytesOf(disk), `crash at flush ${n}`).toEqual(await wholeRun());
    }
  });

  it('returns a finished file at once, without encoding', async () => {
    const folder = await folderHolding(await wholeRun());
    const again = embedder();
    const file = await encodeToFile(folder, again.spec(), again.embed, again.onProgress);
    expect(again.calls).toEqual([]);
    expect(again.progress).toEqual([[ROWS, ROWS, ROWS]]);
    expect(file.read(0, ROWS)).toEqual(vectorsOf(0, ROWS));
    file.close();
  });

  it('finds its own file again for any key, even one UTF-8 cannot hold exactly', async () => {
    const folder = new MemoryFolder();
    const key = 'dot \ud800 ✓';
    (await encodeToFile(folder, embedder().spec(key), embedder().embed)).close();
    const again = embedder();
    (await encodeToFile(folder, again.spec(key), again.embed)).close();
    expect(again.calls).toEqual([]);
  });

  it('starts over for another key, another shape, or a file it cannot trust', async () => {
    const finished = await wholeRun('student@step-100');
    const cut = finished.slice(0, HEADER + 10 * DIM * 4 + 6);
    const notVectors = finished.slice();
    notVectors[0] = 0;
    const cases: [string, Uint8Array, Partial<EncodeSpec>][] = [
      ['another key', finished, { key: 'student@step-200' }],
      ['more rows', finished, { rows: ROWS + 1 }],
      ['fewer dims', finished, { dim: DIM - 1 }],
      ['cut short', cut, {}],
      ['not a vector file', notVectors, {}],
      ['an empty file', new Uint8Array(0), {}],
    ];
    for (const [what, bytes, change] of cases) {
      const folder = await folderHolding(bytes);
      const spec: EncodeSpec = { key: 'student@step-100', rows: ROWS, dim: DIM, batch: 4, ...change };
      const calls: number[] = [];
      const embed = async (from: number, to: number) => {
        calls.push(from);
        return new Float32Array((to - from) * spec.dim).fill(1);
      };
      (await encodeToFile(folder, spec, embed)).close();
      expect(calls, what).toEqual(Array.from({ length: Math.ceil(spec.rows / 4) }, (_, i) => 4 * i));
      const written = bytesOf(folder);
      expect(written.length, what).toBe(HEADER + spec.rows * spec.dim * 4);
      expect(new Float32Array(written.slice(HEADER).buffer).every((x) => x === 1), what).toBe(true);
      expect(new TextDecoder().decode(written.subarray(32, 32 + new TextEncoder().encode(spec.key).length)), what).toBe(spec.key);
    }
  });

  it('refuses a key over 256 bytes, a bad batch, and embed output of the wrong size, naming the file', async () => {
    const e = embedder();
    await expect(encodeToFile(new MemoryFolder(), { ...e.spec('é'.repeat(129)) }, e.embed)).rejects.toThrow('at most 256 bytes of UTF-8');
    await expect(encodeToFile(new MemoryFolder(), { ...e.spec(), batch: 0 }, e.embed)).rejects.toThrow('vectors.f32: 0 is not a batch size');
    const folder = new MemoryFolder();
    await expect(encodeToFile(folder, e.spec(), async () => new Float32Array(5))).rejects.toThrow('vectors.f32: embed gave 5 floats for rows 0 to 4 of 3 dims');
    // The failed call let go of the file: a second writer may open it.
    await expect(folder.openForUpdate(VECTORS_FILE)).resolves.toBeDefined();
  });
});

describe('VectorFile', () => {
  const open = (bytes: Uint8Array) => {
    const file = new MemoryFile();
    file.write(bytes, 0);
    return VectorFile.open(file, VECTORS_FILE);
  };

  it('reads row ranges, into a buffer when given one', async () => {
    const file = open(await wholeRun());
    const buffer = new Float32Array(10 * DIM);
    const read = file.read(47, 50, buffer);
    expect(read).toEqual(vectorsOf(47, 50));
    expect(read.buffer).toBe(buffer.buffer);
    expect(file.read(3, 3)).toEqual(new Float32Array(0));
    expect(() => file.read(49, 51)).toThrow('vectors.f32: rows 49 to 51 are not a range of its 50 rows');
  });

  it('says what is wrong with a file that is not a vector file, damaged, unfinished or cut short', async () => {
    const finished = await wholeRun();
    const withHeader = (field: number, value: number) => {
      const bytes = finished.slice();
      new DataView(bytes.buffer).setUint32(field * 4, value, true);
      return bytes;
    };
    expect(() => open(withHeader(0, 0))).toThrow('vectors.f32 is not a vector file (wrong magic number)');
    expect(() => open(withHeader(1, 2))).toThrow('vectors.f32 has vector format 2; this version reads format 1');
    expect(() => open(withHeader(4, ROWS + 1))).toThrow('vectors.f32 has a damaged header (50 rows of 3 dims, 51 done, a key of 16 bytes)');
    expect(() => open(withHeader(4, 20))).toThrow('vectors.f32 is unfinished: 20 of 50 vectors were written');
    expect(() => open(finished.slice(0, HEADER + 100))).toThrow('vectors.f32 holds 388 bytes; 50 vectors of 3 dims need 888; the file was cut short');
    expect(() => open(finished.slice(0, 100))).toThrow('vectors.f32: wanted 288 bytes at byte 0, the file ended after 100');
  });
});
