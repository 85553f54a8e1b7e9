/**
 * The few file operations the training files need, so that the same code runs on the Origin Private File System in
 * the browser (files.opfs.ts) and on memory in unit tests. Reads and writes are synchronous, as
 * FileSystemSyncAccessHandle's are: a batch is read with a few dozen small reads, each at file speed.
 */

/** One open file: the subset of FileSystemSyncAccessHandle the row store uses. */
export interface RandomAccessFile {
  /** Reads into `into` from byte `at`; returns the bytes read (fewer at the end of the file). */
  read(into: Uint8Array, at: number): number;
  /** Writes all of `from` at byte `at`, growing the file as needed. */
  write(from: Uint8Array, at: number): void;
  size(): number;
  flush(): void;
  close(): void;
}

/** A folder of files for one dataset version. */
export interface FileFolder {
  /** Opens a file for reading, or (with `create`) creates or empties one for writing. */
  open(name: string, create: boolean): Promise<RandomAccessFile>;
  /**
   * Opens a file for reading and writing with its bytes kept (created empty if missing): for files written over
   * several sessions, such as vectors resumed after the tab closed. Holds the file as a writer does.
   */
  openForUpdate(name: string): Promise<RandomAccessFile>;
  /** Names of the files in the folder. */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Files held in memory: for unit tests and the demo runs of the lab and benches (memory-files.ts), and to state what the OPFS version must do. */
export class MemoryFile implements RandomAccessFile {
  private bytes = new Uint8Array(0);
  private length = 0;
  closed = false;

  read(into: Uint8Array, at: number): number {
    this.check();
    const n = Math.max(0, Math.min(into.length, this.length - at));
    into.set(this.bytes.subarray(at, at + n));
    return n;
  }

  write(from: Uint8Array, at: number): void {
    this.check();
    const end = at + from.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(from, at);
    this.length = Math.max(this.length, end);
  }

  size(): number {
    return this.length;
  }

  /** The bytes written, readable after close (as a file's are once its handle is gone). */
  contents(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  flush(): void {
    this.check();
  }

  close(): void {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new Error('the file was closed');
  }
}

export class MemoryFolder implements FileFolder {
  readonly files = new Map<string, MemoryFile>();

  async open(name: string, create: boolean): Promise<RandomAccessFile> {
    if (create) {
      const file = new MemoryFile();
      this.files.set(name, file);
      return file;
    }
    const file = this.files.get(name);
    if (!file) throw new Error(`file ${name} does not exist`);
    // A reader of its own, as a second sync access handle would be: closing it leaves the folder's copy readable.
    const reader = new MemoryFile();
    reader.write(file.contents(), 0);
    return reader;
  }

  async openForUpdate(name: string): Promise<RandomAccessFile> {
    const held = this.files.get(name);
    // One writer at a time, as OPFS allows one 'readwrite' handle: a second is a bug the caller should hear of.
    if (held && !held.closed) throw new Error(`file ${name} is open for writing elsewhere`);
    const file = new MemoryFile();
    if (held) file.write(held.contents(), 0);
    this.files.set(name, file);
    return file;
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()];
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}

/** Reads exactly `into.length` bytes at `at`, or says which file ended early. */
export function readExactly(file: RandomAccessFile, into: Uint8Array, at: number, what: string): void {
  const n = file.read(into, at);
  if (n !== into.length) throw new Error(`${what}: wanted ${into.length} bytes at byte ${at}, the file ended after ${n}; the file is damaged or was cut short`);
}

/** Writes a small JSON file (a manifest), flushed: written last, it marks a finished build. */
export async function writeJsonFile(folder: FileFolder, name: string, value: unknown): Promise<void> {
  const file = await folder.open(name, true);
  try {
    file.write(new TextEncoder().encode(JSON.stringify(value)), 0);
    file.flush();
  } finally {
    file.close();
  }
}

/** A small JSON file's value, or null when the folder has no such file. */
export async function readJsonFile(folder: FileFolder, name: string): Promise<unknown> {
  if (!(await folder.list()).includes(name)) return null;
  const file = await folder.open(name, false);
  try {
    const bytes = new Uint8Array(file.size());
    readExactly(file, bytes, 0, name);
    return JSON.parse(new TextDecoder().decode(bytes));
  } finally {
    file.close();
  }
}
