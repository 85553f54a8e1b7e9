/**
 * Opens a model folder as a browser gives it (files on disk, as Blobs) without reading its weights into memory:
 * configs and vocabularies are read whole, a large safetensors checkpoint only as far as its header, so the folder
 * is checked and described first and each tensor is read when it is stored. Importing a 66M-parameter folder then
 * holds about one tensor at a time instead of the file, its parsed copy and a copy for storage.
 */
import { headerLength, readSafetensorsHeader } from '../../export/safetensors';
import { describeFolder, Folder, folderPaths, type FolderBlob, type FolderFile, type PretrainedLayout, type UnreadFile } from './folder';

/** Safetensors files up to this size are read whole (Dense modules, small models); larger ones tensor by tensor. */
export const READ_WHOLE_BYTES = 16 * 1024 * 1024;

/** The files the reader parses (configs, vocabularies, tokenizers); others only need to be present. */
const TEXT = /\.(json|txt)$/i;

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** A large checkpoint's header, read from the file's first bytes alone. */
async function headerOf(path: string, file: Blob) {
  const n = headerLength(await bytesOf(file.slice(0, 8)), file.size, path);
  return readSafetensorsHeader(await bytesOf(file.slice(0, 8 + n)), file.size, path, { skipUnsupported: true });
}

/** `readWholeBytes`: safetensors files larger than this are read tensor by tensor (a test sets it to 0). */
export async function openPretrainedFolder(files: readonly FolderBlob[], readWholeBytes = READ_WHOLE_BYTES): Promise<PretrainedLayout> {
  const whole: FolderFile[] = [];
  const unread: UnreadFile[] = [];
  for (const { path, file } of folderPaths(files)) {
    if (path.endsWith('.safetensors')) {
      if (file.size <= readWholeBytes) whole.push({ path, bytes: await bytesOf(file) });
      else unread.push({ path, file, header: await headerOf(path, file) });
    } else if (TEXT.test(path)) {
      whole.push({ path, bytes: await bytesOf(file) });
    } else {
      // pytorch_model.bin and the like: the reader names them in its refusals, never reads them.
      unread.push({ path, file, header: null });
    }
  }
  return describeFolder(new Folder(whole, unread));
}
