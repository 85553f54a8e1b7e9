/**
 * Training files in the Origin Private File System, read and written through synchronous access handles (only
 * dedicated workers have those: the training worker builds and reads them). One folder per dataset version:
 * training-rows/<dataset id>/<version>/.
 */
import { emptyTrainingFileBytes, trainingFileKind, type TrainingFileBytes } from './file-kinds';
import type { FileFolder, RandomAccessFile } from './files';

const ROOT = 'training-rows';

type AccessMode = 'readwrite' | 'read-only' | 'readwrite-unsafe';
/** createSyncAccessHandle with its `mode` option, which TypeScript's DOM types do not list yet. */
interface SyncHandleMaker {
  createSyncAccessHandle(options?: { mode?: AccessMode }): Promise<FileSystemSyncAccessHandle>;
}

function errorName(err: unknown): string {
  return err instanceof Error || err instanceof DOMException ? err.name : '';
}

function storageError(err: unknown, name: string): Error {
  if (errorName(err) === 'QuotaExceededError') {
    return new Error(`the browser's storage for this page is full while writing the dataset file ${name}; what was written was removed. Delete datasets under Storage, or free disk space, and start again`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

class SyncFile implements RandomAccessFile {
  constructor(
    private readonly handle: FileSystemSyncAccessHandle,
    private readonly name: string,
  ) {}

  read(into: Uint8Array, at: number): number {
    return this.handle.read(into, { at });
  }

  write(from: Uint8Array, at: number): void {
    let written: number;
    try {
      written = this.handle.write(from, { at });
    } catch (err) {
      throw storageError(err, this.name);
    }
    if (written !== from.length) throw storageError(Object.assign(new Error('short write'), { name: 'QuotaExceededError' }), this.name);
  }

  size(): number {
    return this.handle.getSize();
  }

  flush(): void {
    this.handle.flush();
  }

  close(): void {
    this.handle.close();
  }
}

/**
 * Refuses a context without OPFS's synchronous access handles. Every current browser gives them to dedicated
 * workers, where training and evaluation run; the page itself and Node have none, and there is no other data path.
 */
function needSyncHandles(): void {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function' || typeof FileSystemSyncAccessHandle === 'undefined') {
    throw new Error("the dataset's training files need the Origin Private File System's synchronous file access, which only a dedicated worker of a current browser has; this context has none (tests and scripts build the files in memory instead)");
  }
}

async function directory(path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle> {
  let dir = await navigator.storage.getDirectory();
  for (const part of path) dir = await dir.getDirectoryHandle(part, { create });
  return dir;
}

async function entryNames(dir: FileSystemDirectoryHandle): Promise<string[]> {
  const names: string[] = [];
  for await (const name of dir.keys()) names.push(name);
  return names;
}

/** Readers share a file ('read-only' handles may be many); a writer ('readwrite') has it to itself. */
async function syncHandle(dir: FileSystemDirectoryHandle, name: string, mode: 'readwrite' | 'read-only', datasetId: string): Promise<FileSystemSyncAccessHandle> {
  const file = await dir.getFileHandle(name, { create: mode === 'readwrite' });
  const maker: SyncHandleMaker = file;
  try {
    return await maker.createSyncAccessHandle({ mode });
  } catch (err) {
    if (errorName(err) === 'NoModificationAllowedError') throw new Error(`the training file ${name} of dataset ${datasetId} is open elsewhere (another tab, or another task of this page, writing or reading it); wait for that to end, or close the other tab, and start again`);
    throw err;
  }
}

/**
 * A small file of a dataset version's folder as text, read with the asynchronous API any page has (the page asks
 * whether a teacher job was cut off without starting the training worker); null when it is not there.
 */
export async function readDatasetFileText(datasetId: string, version: string, name: string): Promise<string | null> {
  if (!globalThis.navigator?.storage?.getDirectory) return null;
  try {
    const dir = await directory([ROOT, datasetId, version], false);
    return await (await (await dir.getFileHandle(name)).getFile()).text();
  } catch (err) {
    if (errorName(err) === 'NotFoundError' || errorName(err) === 'TypeMismatchError') return null;
    throw err;
  }
}

/** The folder of one version of a dataset's training files, created if need be. */
export async function trainingFolder(datasetId: string, version: string): Promise<FileFolder> {
  needSyncHandles();
  const dir = await directory([ROOT, datasetId, version], true);
  return {
    async open(name, create) {
      const handle = await syncHandle(dir, name, create ? 'readwrite' : 'read-only', datasetId);
      if (create) handle.truncate(0);
      return new SyncFile(handle, name);
    },
    async openForUpdate(name) {
      return new SyncFile(await syncHandle(dir, name, 'readwrite', datasetId), name);
    },
    list: () => entryNames(dir),
    async remove(name) {
      await dir.removeEntry(name);
    },
  };
}

/**
 * Removes a dataset's training files, or (with `keepVersion`) every version but that one. Best effort: a file a
 * running trainer holds open cannot be removed now, and goes at the next clean-up (`removeOrphanTrainingFiles`).
 */
export async function removeTrainingFiles(datasetId: string, keepVersion?: string): Promise<void> {
  if (!canUseOpfs()) return;
  try {
    const root = await directory([ROOT], true);
    if (keepVersion === undefined) {
      await root.removeEntry(datasetId, { recursive: true });
      return;
    }
    const dir = await root.getDirectoryHandle(datasetId, { create: true });
    for (const name of await entryNames(dir)) if (name !== keepVersion) await dir.removeEntry(name, { recursive: true }).catch(() => undefined);
  } catch {
    // Not there, or in use: nothing to do now.
  }
}

/** Removes the training files of datasets that no longer exist. */
export async function removeOrphanTrainingFiles(existing: ReadonlySet<string>): Promise<void> {
  if (!canUseOpfs()) return;
  const root = await directory([ROOT], true);
  for (const name of await entryNames(root)) if (!existing.has(name)) await root.removeEntry(name, { recursive: true }).catch(() => undefined);
}

function canUseOpfs(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

/** Bytes of training files on disk per dataset (every version) by kind, for the storage panel; empty without OPFS. */
export async function trainingFileBytes(): Promise<Map<string, TrainingFileBytes>> {
  const sizes = new Map<string, TrainingFileBytes>();
  if (!canUseOpfs()) return sizes;
  const root = await directory([ROOT], true);
  const subfolders = async (dir: FileSystemDirectoryHandle) => {
    const out: FileSystemDirectoryHandle[] = [];
    for (const name of await entryNames(dir)) {
      const sub = await dir.getDirectoryHandle(name).catch(() => null);
      if (sub) out.push(sub);
    }
    return out;
  };
  for (const dataset of await subfolders(root)) {
    const bytes = emptyTrainingFileBytes();
    for (const version of await subfolders(dataset)) {
      for (const name of await entryNames(version)) {
        const file = await version.getFileHandle(name).catch(() => null);
        if (file) bytes[trainingFileKind(name)] += (await file.getFile()).size;
      }
    }
    sizes.set(dataset.name, bytes);
  }
  return sizes;
}
