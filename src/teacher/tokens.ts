/**
 * The collection's passages in a teacher's vocabulary, when the dataset's token ids are another tokenizer's: token
 * rows (the training files' format, the same row order) written once per dataset version and vocabulary into the
 * version's folder, a stored chunk at a time, each row cut to what a pair can keep. Later jobs and evaluations with
 * a teacher of the same vocabulary open the file at once.
 */
import type { FileFolder } from '../data/rows/files';
import { TokenRows, TokenRowWriter, ROW_TOKEN_LIMIT, type TokenRowsShape } from '../data/rows/token-rows';
import type { ChunkReader } from '../data/rows/training-files';
import type { TextColumns } from '../data/store/schema';
import type { TextTokenizer } from '../text/tokenizers';

const decoder = new TextDecoder();

/** The file of a vocabulary's rows at a width: a name that changes with either. */
export function teacherRowsName(tokenizerId: string, width: number): string {
  return `tokens-${tokenizerId.replace(/[^a-z0-9]+/gi, '-')}-${width}.rows`;
}

/**
 * Opens (building first, when missing or unfinished) the passages' rows in `tokenizer`'s ids, `width` tokens at most
 * a row. `rows` is the collection's passage count; `read` streams the stored passages in their order.
 */
export async function teacherPassageRows(folder: FileFolder, read: ChunkReader, rows: number, tokenizer: TextTokenizer, width: number, onProgress: (done: number, total: number) => void = () => undefined, signal: { cancelled: boolean } = { cancelled: false }): Promise<TokenRows> {
  const name = teacherRowsName(tokenizer.id, width);
  const done = `${name}.done`;
  if ((await folder.list()).includes(done)) return TokenRows.open(await folder.open(name, false), name);
  const shape: TokenRowsShape = { rows, width: Math.max(1, Math.min(ROW_TOKEN_LIMIT, width)), bytesPerToken: tokenizer.vocabSize <= 65536 ? 2 : 4 };
  const file = await folder.open(name, true);
  try {
    const writer = new TokenRowWriter(file, shape, name);
    let seen = 0;
    await read('passages', (cols: TextColumns) => {
      if (signal.cancelled) throw new Error('cancelled while tokenizing the passages for the teacher');
      const n = cols.id.length;
      const tokOffsets = new Uint32Array(n + 1);
      const parts: Int32Array[] = [];
      for (let r = 0; r < n; r++) {
        const ids = tokenizer.tokenize(decoder.decode(cols.text.subarray(cols.textOffsets[r] as number, cols.textOffsets[r + 1] as number))).subarray(0, shape.width);
        parts.push(ids);
        tokOffsets[r + 1] = (tokOffsets[r] as number) + ids.length;
      }
      const tokens = new Int32Array(tokOffsets[n] as number);
      parts.forEach((p, r) => tokens.set(p, tokOffsets[r] as number));
      writer.append({ ...cols, tokOffsets, tokens });
      seen += n;
      onProgress(seen, rows);
    });
    writer.finish();
  } catch (err) {
    file.close();
    await folder.remove(name).catch(() => undefined);
    throw err;
  }
  file.close();
  // A marker written last: a file without one was cut off and is built again.
  (await folder.open(done, true)).close();
  return TokenRows.open(await folder.open(name, false), name);
}
