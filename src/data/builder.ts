/**
 * Rows in, columnar chunks out. The builder owns everything an import accumulates across files: the ids seen in
 * each text table (to catch duplicates and dangling references), the texts seen (so the text-based layouts give
 * one id per distinct passage or query), the teacher statistics, and one partly filled chunk per table. A chunk
 * that fills up is handed to `onChunk` and forgotten, so memory does not grow with the file.
 */
import { hashBytes, IdSet } from './idset';
import { TeacherStats, type TeacherSummary } from './teacher-stats';
import { emptyCounts, type TableColumns, type TableCounts, type TableName, type TextColumns } from './store/schema';

export type TextTable = 'passages' | 'queries';
export interface BuiltChunk {
  table: TableName;
  rows: number;
  columns: TableColumns[TableName];
}

/** Numeric tables: this many rows a chunk (about 1.3 MB of triples). */
export const NUMERIC_CHUNK_ROWS = 65_536;
/** Text tables: a chunk closes at this many rows or this many text bytes, whichever comes first. */
export const TEXT_CHUNK_ROWS = 8_192;
export const TEXT_CHUNK_BYTES = 4 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How a builder turns texts into token ids: `TextTokenizer` (text/tokenizers.ts) is one. */
export interface RowTokenizer {
  tokenize(text: string): Int32Array;
  /** Ids of an ASCII text's bytes written into `out` from `at`; -1 when a byte is not ASCII. */
  tokenizeAscii?(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): number;
}

class Growable<A extends Int32Array | Uint32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = this.make(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  take(): A {
    const out = this.data.slice(0, this.length) as A;
    this.length = 0;
    return out;
  }
}

class TextChunkBuilder {
  rows = 0;
  private ids = new Growable(new Int32Array(1024), (n) => new Int32Array(n));
  private tokens = new Growable(new Int32Array(65536), (n) => new Int32Array(n));
  private text = new Growable(new Uint8Array(1 << 20), (n) => new Uint8Array(n));
  private tokEnds = new Growable(new Uint32Array(1024), (n) => new Uint32Array(n));
  private textEnds = new Growable(new Uint32Array(1024), (n) => new Uint32Array(n));

  add(id: number, bytes: Uint8Array, tokens: Int32Array): void {
    this.tokens.reserve(tokens.length);
    this.tokens.data.set(tokens, this.tokens.length);
    this.tokens.length += tokens.length;
    this.addRow(id, bytes, 0, bytes.length);
  }

  /**
   * A text as a range of UTF-8 bytes (checked by the caller), tokenized straight into the chunk where the tokenizer
   * can read ASCII bytes: no string, no per-row array. Anything else is decoded and takes `tokenize`.
   */
  addBytes(id: number, buf: Uint8Array, start: number, end: number, tokenizer: RowTokenizer): void {
    let n = -1;
    if (tokenizer.tokenizeAscii) {
      this.tokens.reserve(((end - start) >> 1) + 1);
      n = tokenizer.tokenizeAscii(buf, start, end, this.tokens.data, this.tokens.length);
    }
    if (n >= 0) {
      this.tokens.length += n;
      this.addRow(id, buf, start, end);
    } else {
      this.add(id, buf.subarray(start, end), tokenizer.tokenize(decoder.decode(buf.subarray(start, end))));
    }
  }

  /** The row's id and text, after its tokens. */
  private addRow(id: number, buf: Uint8Array, start: number, end: number): void {
    this.ids.reserve(1);
    this.ids.data[this.ids.length++] = id;
    const bytes = end - start;
    this.text.reserve(bytes);
    this.text.data.set(start === 0 && end === buf.length ? buf : buf.subarray(start, end), this.text.length);
    this.text.length += bytes;
    this.tokEnds.reserve(1);
    this.tokEnds.data[this.tokEnds.length++] = this.tokens.length;
    this.textEnds.reserve(1);
    this.textEnds.data[this.textEnds.length++] = this.text.length;
    this.rows++;
  }

  get full(): boolean {
    return this.rows >= TEXT_CHUNK_ROWS || this.text.length >= TEXT_CHUNK_BYTES;
  }

  take(): TextColumns {
    const tokOffsets = new Uint32Array(this.rows + 1);
    tokOffsets.set(this.tokEnds.data.subarray(0, this.rows), 1);
    const textOffsets = new Uint32Array(this.rows + 1);
    textOffsets.set(this.textEnds.data.subarray(0, this.rows), 1);
    this.tokEnds.length = 0;
    this.textEnds.length = 0;
    this.rows = 0;
    return { id: this.ids.take(), tokOffsets, tokens: this.tokens.take(), textOffsets, text: this.text.take() };
  }
}

/** Fixed-capacity columns for the numeric tables; a full chunk's arrays are handed over whole, not copied. */
class NumericChunkBuilder<T extends 'triples' | 'qrels' | 'candidates'> {
  rows = 0;
  cols: TableColumns[T];
  constructor(
    private readonly table: T,
    private readonly make: () => TableColumns[T],
  ) {
    this.cols = make();
  }

  /** The row to fill next; call `filled` once it is written. */
  next(): number {
    return this.rows++;
  }

  /** Hands on whatever rows it holds. */
  flush(onChunk: (chunk: BuiltChunk) => void): void {
    if (this.rows > 0) onChunk({ table: this.table, rows: this.rows, columns: this.take() });
  }

  /** Hands the chunk on when the last row filled it. */
  filled(onChunk: (chunk: BuiltChunk) => void): void {
    if (this.rows === NUMERIC_CHUNK_ROWS) onChunk({ table: this.table, rows: this.rows, columns: this.take() });
  }
  take(): TableColumns[T] {
    const rows = this.rows;
    const cols = this.cols as unknown as Record<string, Int32Array | Float32Array | Float64Array>;
    const out: Record<string, Int32Array | Float32Array | Float64Array> = {};
    for (const [name, col] of Object.entries(cols)) out[name] = rows === col.length ? col : col.slice(0, rows);
    this.cols = this.make();
    this.rows = 0;
    return out as unknown as TableColumns[T];
  }
}

const makeTriples = () => ({
  qid: new Int32Array(NUMERIC_CHUNK_ROWS),
  pos: new Int32Array(NUMERIC_CHUNK_ROWS),
  neg: new Int32Array(NUMERIC_CHUNK_ROWS),
  posScore: new Float32Array(NUMERIC_CHUNK_ROWS),
  negScore: new Float32Array(NUMERIC_CHUNK_ROWS),
});
const makeQrels = () => ({ qid: new Int32Array(NUMERIC_CHUNK_ROWS), pid: new Int32Array(NUMERIC_CHUNK_ROWS), grade: new Int32Array(NUMERIC_CHUNK_ROWS) });
const makeCandidates = () => ({
  qid: new Int32Array(NUMERIC_CHUNK_ROWS),
  pid: new Int32Array(NUMERIC_CHUNK_ROWS),
  rank: new Int32Array(NUMERIC_CHUNK_ROWS),
  score: new Float64Array(NUMERIC_CHUNK_ROWS),
  run: new Int32Array(NUMERIC_CHUNK_ROWS),
});

export class DatasetBuilder {
  readonly ids: Record<TextTable, IdSet> = { passages: new IdSet(), queries: new IdSet() };
  readonly counts: TableCounts = emptyCounts();
  readonly teacher: TeacherStats;
  private byText: Record<TextTable, Map<number, number>> = { passages: new Map(), queries: new Map() };
  private nextId: Record<TextTable, number> = { passages: 0, queries: 0 };
  private texts = { passages: new TextChunkBuilder(), queries: new TextChunkBuilder() };
  private triples = new NumericChunkBuilder('triples', makeTriples);
  private qrels = new NumericChunkBuilder('qrels', makeQrels);
  private candidates = new NumericChunkBuilder('candidates', makeCandidates);

  /**
   * @param indexTexts whether texts must be recognisable by content: only when a text-based layout (teacher text,
   *   JSONL) is among the files. It costs a map entry per passage, which an MS MARCO-sized collection with id-based
   *   teacher files should not pay.
   */
  constructor(
    private readonly tokenizer: RowTokenizer,
    private readonly onChunk: (chunk: BuiltChunk) => void,
    { teacher, indexTexts = true }: { teacher?: TeacherSummary | undefined; indexTexts?: boolean } = {},
  ) {
    this.teacher = teacher ? TeacherStats.from(teacher) : new TeacherStats();
    this.indexTexts = indexTexts;
  }

  private readonly indexTexts: boolean;

  /** Learns the texts a dataset already holds, so that files added to it are checked against them. */
  seedTexts(table: TextTable, cols: TextColumns): void {
    const ids = this.ids[table];
    const byText = this.byText[table];
    for (let r = 0; r < cols.id.length; r++) {
      const id = cols.id[r] as number;
      ids.add(id);
      if (this.indexTexts) byText.set(hashBytes(cols.text, cols.textOffsets[r] as number, cols.textOffsets[r + 1] as number), id);
    }
  }

  /** A text with its own id (collection, queries). Returns false when the id was already used. */
  addText(table: TextTable, id: number, text: string, bytes: Uint8Array): boolean {
    if (!this.ids[table].add(id)) return false;
    // A text-based file in the same import then refers to this text by this id, rather than storing it again.
    if (this.indexTexts) {
      const key = hashBytes(bytes, 0, bytes.length);
      if (!this.byText[table].has(key)) this.byText[table].set(key, id);
    }
    this.store(table, id, text, bytes);
    return true;
  }

  /**
   * `addText` for a text given as a range of UTF-8 bytes the caller has checked (valid, not blank): the fast path
   * for collections, where decoding each passage into a string cost more than tokenizing it.
   */
  addTextBytes(table: TextTable, id: number, buf: Uint8Array, start: number, end: number): boolean {
    if (!this.ids[table].add(id)) return false;
    if (this.indexTexts) {
      const key = hashBytes(buf, start, end);
      if (!this.byText[table].has(key)) this.byText[table].set(key, id);
    }
    const t = this.texts[table];
    t.addBytes(id, buf, start, end, this.tokenizer);
    this.stored(table);
    return true;
  }

  /** A text known only by its content (text-based layouts): the same text always gets the same id. */
  internText(table: TextTable, text: string, bytes: Uint8Array = encoder.encode(text)): number {
    const key = hashBytes(bytes, 0, bytes.length);
    const known = this.byText[table].get(key);
    if (known !== undefined) return known;
    let id = this.nextId[table];
    while (this.ids[table].has(id)) id++;
    this.nextId[table] = id + 1;
    this.ids[table].add(id);
    this.byText[table].set(key, id);
    this.store(table, id, text, bytes);
    return id;
  }

  /** Adds a teacher triple; returns what it names that the dataset does not hold (null when all ids resolve). */
  addTriple(qid: number, pos: number, neg: number, posScore: number, negScore: number): string | null {
    const b = this.triples;
    const r = b.next();
    b.cols.qid[r] = qid;
    b.cols.pos[r] = pos;
    b.cols.neg[r] = neg;
    b.cols.posScore[r] = posScore;
    b.cols.negScore[r] = negScore;
    this.teacher.add(posScore, negScore);
    this.counts.triples++;
    b.filled(this.onChunk);
    return this.missing(qid, pos) ?? this.missing(qid, neg, false);
  }

  addQrel(qid: number, pid: number, grade: number): string | null {
    const b = this.qrels;
    const r = b.next();
    b.cols.qid[r] = qid;
    b.cols.pid[r] = pid;
    b.cols.grade[r] = grade;
    this.counts.qrels++;
    b.filled(this.onChunk);
    return this.missing(qid, pid, false);
  }

  addCandidate(qid: number, pid: number, rank: number, score: number, run: number): string | null {
    const b = this.candidates;
    const r = b.next();
    b.cols.qid[r] = qid;
    b.cols.pid[r] = pid;
    b.cols.rank[r] = rank;
    b.cols.score[r] = score;
    b.cols.run[r] = run;
    this.counts.candidates++;
    b.filled(this.onChunk);
    return this.missing(qid, pid, false);
  }

  /** Hands over every partly filled chunk. */
  flush(): void {
    for (const table of ['passages', 'queries'] as const) {
      const t = this.texts[table];
      if (t.rows > 0) this.onChunk({ table, rows: t.rows, columns: t.take() });
    }
    for (const b of [this.triples, this.qrels, this.candidates]) b.flush(this.onChunk);
  }

  private store(table: TextTable, id: number, text: string, bytes: Uint8Array): void {
    this.texts[table].add(id, bytes, this.tokenizer.tokenize(text));
    this.stored(table);
  }

  private stored(table: TextTable): void {
    const t = this.texts[table];
    this.counts[table]++;
    if (t.full) this.onChunk({ table, rows: t.rows, columns: t.take() });
  }

  private missing(qid: number, pid: number, checkQuery = true): string | null {
    // Queries are optional for qrels and runs (dev queries often come separately), so only triples demand them.
    if (checkQuery && !this.ids.queries.has(qid)) return `query ${qid} is not in the dataset`;
    if (!this.ids.passages.has(pid)) return `passage ${pid} is not in the collection`;
    return null;
  }
}
