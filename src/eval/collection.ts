/**
 * The texts an evaluation reads: the passages as the training files' token rows with texts fetched from the stored
 * chunks only for the few passages shown (MS MARCO's 8.8M passages: ids and token rows, never all texts), and the
 * queries (a few thousand, or the one typed in "Try") as a table in memory.
 */
import { padTokens, rowIndex, textAt } from '../data/store/columns';
import type { TextColumns } from '../data/store/schema';
import { IdIndex } from '../data/rows/id-index';
import type { TokenRows } from '../data/rows/token-rows';

/** Token ids of rows as a padded [rows, length] matrix: what the students read. */
export interface TokenSource {
  padded(rows: ArrayLike<number>, length: number): Int32Array;
}

export interface Collection extends TokenSource {
  readonly size: number;
  idOf(row: number): number;
  /** The row of an id, or -1. */
  rowOf(id: number): number;
  /** The texts of a few rows (for showing them), in the order asked. */
  texts(rows: readonly number[]): Promise<string[]>;
}

/** A text table in memory as a collection: the queries an evaluation asks (and small passage sets in unit tests). */
export function tableCollection(cols: TextColumns): Collection {
  let index: Map<number, number> | null = null;
  return {
    size: cols.id.length,
    idOf: (row) => cols.id[row] as number,
    rowOf(id) {
      index ??= rowIndex(cols.id);
      return index.get(id) ?? -1;
    },
    padded: (rows, length) => padTokens(cols, rows, length),
    texts: async (rows) => rows.map((r) => textAt(cols, r)),
  };
}

/**
 * A collection read from token rows; `readChunk(k)` gives stored chunk k, of `chunkRows[k]` rows, for texts.
 * Texts asked for together are read one chunk at a time, each chunk once.
 */
export function storedCollection(rows: TokenRows, chunkRows: readonly number[], readChunk: (index: number) => Promise<TextColumns>): Collection {
  const ids = rows.ids();
  const index = IdIndex.build(ids, rows.name);
  const starts = new Float64Array(chunkRows.length + 1);
  chunkRows.forEach((n, k) => (starts[k + 1] = (starts[k] as number) + n));
  if (starts[chunkRows.length] !== ids.length) throw new Error(`${rows.name}: its ${ids.length} rows are not the ${starts[chunkRows.length]} rows of the stored chunks; the files are out of date`);
  const chunkOf = (row: number) => {
    let lo = 0;
    let hi = chunkRows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    size: ids.length,
    idOf: (row) => ids[row] as number,
    rowOf: (id) => index.rowOf(id),
    padded: (r, length) => rows.gather(r, length),
    async texts(wanted) {
      const out: string[] = new Array(wanted.length).fill('');
      const byChunk = new Map<number, number[]>();
      wanted.forEach((row, i) => {
        if (!Number.isInteger(row) || row < 0 || row >= ids.length) throw new Error(`${rows.name}: row ${row} does not exist (the collection has ${ids.length} rows)`);
        const k = chunkOf(row);
        const list = byChunk.get(k);
        if (list) list.push(i);
        else byChunk.set(k, [i]);
      });
      for (const [k, positions] of [...byChunk].sort((a, b) => a[0] - b[0])) {
        const cols = await readChunk(k);
        if (cols.id.length !== chunkRows[k]) throw new Error(`${rows.name}: stored chunk ${k} has ${cols.id.length} rows, the files expect ${chunkRows[k]}; the dataset changed`);
        for (const i of positions) out[i] = textAt(cols, (wanted[i] as number) - (starts[k] as number));
      }
      return out;
    },
  };
}
