/** Building, measuring and joining columnar chunks. Pure functions over typed arrays. */
import type { PartBytes, TableColumns, TableName, TextColumns } from './schema';

type AnyColumns = TableColumns[TableName];
type TypedArray = Int32Array | Uint32Array | Float32Array | Float64Array | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Packs texts and their token ids into one chunk's columns. */
export function textColumns(rows: readonly { id: number; text: string }[], tokenize: (text: string) => Int32Array): TextColumns {
  const encoded = rows.map((r) => encoder.encode(r.text));
  const tokenized = rows.map((r) => tokenize(r.text));
  const id = new Int32Array(rows.length);
  const tokOffsets = new Uint32Array(rows.length + 1);
  const textOffsets = new Uint32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) {
    id[r] = (rows[r] as { id: number }).id;
    tokOffsets[r + 1] = (tokOffsets[r] as number) + (tokenized[r] as Int32Array).length;
    textOffsets[r + 1] = (textOffsets[r] as number) + (encoded[r] as Uint8Array).length;
  }
  const tokens = new Int32Array(tokOffsets[rows.length] as number);
  const text = new Uint8Array(textOffsets[rows.length] as number);
  for (let r = 0; r < rows.length; r++) {
    tokens.set(tokenized[r] as Int32Array, tokOffsets[r]);
    text.set(encoded[r] as Uint8Array, textOffsets[r]);
  }
  return { id, tokOffsets, tokens, textOffsets, text };
}

export function textAt(cols: TextColumns, row: number): string {
  return decoder.decode(cols.text.subarray(cols.textOffsets[row], cols.textOffsets[row + 1]));
}

export function tokensAt(cols: TextColumns, row: number): Int32Array {
  return cols.tokens.subarray(cols.tokOffsets[row], cols.tokOffsets[row + 1]);
}

/** Copies row tokens into a [rows.length, length] padded id matrix (0 = padding), truncating long texts. */
export function padTokens(cols: TextColumns, rows: ArrayLike<number>, length: number): Int32Array {
  const out = new Int32Array(rows.length * length);
  for (let r = 0; r < rows.length; r++) {
    const toks = tokensAt(cols, rows[r] as number);
    out.set(toks.subarray(0, length), r * length);
  }
  return out;
}

/** Map from an id column's values to row numbers. */
export function rowIndex(ids: Int32Array): Map<number, number> {
  const map = new Map<number, number>();
  ids.forEach((id, row) => map.set(id, row));
  return map;
}

export function chunkBytes(columns: AnyColumns): number {
  return Object.values(columns).reduce((sum: number, col: TypedArray) => sum + col.byteLength, 0);
}

/** Adds a chunk's bytes to `parts`: a text table's columns split between its texts and its token ids. */
export function addChunkParts(parts: PartBytes, table: TableName, columns: AnyColumns): void {
  if (table === 'passages' || table === 'queries') {
    const c = columns as TextColumns;
    parts.tokens += c.tokens.byteLength + c.tokOffsets.byteLength;
    parts.text += c.text.byteLength + c.textOffsets.byteLength + c.id.byteLength;
  } else {
    parts[table] += chunkBytes(columns);
  }
}

function isOffsets(name: string): boolean {
  return name === 'tokOffsets' || name === 'textOffsets';
}

/** Joins chunks of one table; offset columns are rebased so they index into the joined value columns. */
export function concatChunks<T extends TableName>(_table: T, parts: readonly TableColumns[T][]): TableColumns[T] {
  const first = parts[0];
  if (!first) throw new Error('concatChunks: nothing to join');
  if (parts.length === 1) return first;
  const out: Record<string, TypedArray> = {};
  for (const name of Object.keys(first)) {
    const cols = parts.map((p) => (p as unknown as Record<string, TypedArray>)[name] as TypedArray);
    if (isOffsets(name)) {
      const total = cols.reduce((n, c) => n + c.length - 1, 1);
      const joined = new Uint32Array(total);
      let at = 0;
      let base = 0;
      for (const c of cols) {
        for (let i = at === 0 ? 0 : 1; i < c.length; i++) joined[at + i] = base + (c[i] as number);
        at += c.length - 1;
        base += c[c.length - 1] as number;
      }
      out[name] = joined;
    } else {
      const Ctor = (first as unknown as Record<string, TypedArray>)[name]?.constructor as new (n: number) => TypedArray;
      const joined = new Ctor(cols.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of cols) {
        joined.set(c, at);
        at += c.length;
      }
      out[name] = joined;
    }
  }
  return out as unknown as TableColumns[T];
}
